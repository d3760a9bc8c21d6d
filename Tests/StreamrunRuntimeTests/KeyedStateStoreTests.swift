import StreamrunCore
import StreamrunRuntime
import Testing

@Suite struct KeyedStateStoreTests {
    @Test func updateInsertsOnceAndMutatesInPlace() {
        var store = KeyedStateStore<IntStateKey, [Int]>(maxParallelism: 8)
        let k = IntStateKey(42)
        let g = store.group(forHash: 1234)
        #expect(g == 1234 % 8)
        store.update(k, group: g, touchedAt: 0, orInsert: { [] }) { $0.append(1) }
        store.update(k, group: g, touchedAt: 5, orInsert: { [99] }) { $0.append(2) }
        #expect(store.value(k, group: g) == [1, 2])
        #expect(store.entry(k, group: g)?.touchedAt == 5)
        #expect(store.count == 1)
        #expect(store.count(group: g) == 1)
        #expect(store.nonEmptyGroups == [g])
        #expect(store.modify(IntStateKey(7), group: g) { $0.append(3) } == nil)
        #expect(store.count == 1)
        #expect(store.remove(k, group: g) == [1, 2])
        #expect(store.isEmpty)
    }

    @Test func snapshotIsUnaffectedByLaterWrites() {
        var store = KeyedStateStore<BytesStateKey, Int>(maxParallelism: 4)
        store.set(1, for: BytesStateKey([1]), group: 0, touchedAt: 0)
        let snap = store.snapshot()
        store.set(2, for: BytesStateKey([1]), group: 0, touchedAt: 0)
        store.set(3, for: BytesStateKey([2]), group: 1, touchedAt: 0)
        #expect(snap[0][BytesStateKey([1])]?.value == 1)
        #expect(snap[1].isEmpty)
        #expect(store.value(BytesStateKey([1]), group: 0) == 2)
    }

    @Test func ttlExpiresAsTheWatermarkPassesAndRespectsTouches() {
        var store = KeyedStateStore<IntStateKey, Int>(maxParallelism: 2, ttlMs: 10)
        store.set(1, for: IntStateKey(1), group: 0, touchedAt: 0)
        store.set(2, for: IntStateKey(2), group: 1, touchedAt: 3)
        var expired: [Int64] = []
        store.expire(watermark: 9) { k, _, _ in expired.append(k.value) }
        #expect(expired.isEmpty)
        store.update(IntStateKey(1), group: 0, touchedAt: 8, orInsert: { 0 }) { $0 += 1 }  // now due at 18
        store.expire(watermark: 13) { k, _, _ in expired.append(k.value) }
        #expect(expired == [2])
        store.expire(watermark: 17) { k, _, _ in expired.append(k.value) }
        #expect(expired == [2])
        store.expire(watermark: 18) { k, _, v in expired.append(k.value); #expect(v == 2) }
        #expect(expired == [2, 1])
        #expect(store.isEmpty)
        #expect(store.pendingDeadlines == 0)
    }

    @Test func removedAndReinsertedKeysExpireOnTheirNewTouch() {
        var store = KeyedStateStore<IntStateKey, Int>(maxParallelism: 1, ttlMs: 10)
        store.set(1, for: IntStateKey(1), group: 0, touchedAt: 0)
        store.remove(IntStateKey(1), group: 0)
        store.set(2, for: IntStateKey(1), group: 0, touchedAt: 5)
        store.expire(watermark: 10)
        #expect(store.value(IntStateKey(1), group: 0) == 2)
        store.expire(watermark: 15)
        #expect(store.isEmpty)
    }

    @Test func withoutTtlNothingExpires() {
        var store = KeyedStateStore<IntStateKey, Int>(maxParallelism: 1)
        store.set(1, for: IntStateKey(1), group: 0, touchedAt: 0)
        store.expire(watermark: .max)
        #expect(store.count == 1)
        #expect(store.pendingDeadlines == 0)
    }

    @Test func timerHeapPopsInOrder() {
        var rng = SystemRandomNumberGenerator()
        var heap = TimerHeap<Int>()
        let values = (0..<500).map { _ in Int.random(in: -100...100, using: &rng) }
        for v in values { heap.push(v) }
        var out: [Int] = []
        while let v = heap.pop() { out.append(v) }
        #expect(out == values.sorted())
        heap.push(3)
        #expect(heap.pop(where: { $0 < 3 }) == nil)
        #expect(heap.pop(where: { $0 <= 3 }) == 3)
    }

    /// Equal elements pop in the order they were pushed, whatever the heap's layout.
    @Test func timerHeapPopsEqualElementsInPushOrder() {
        struct Timer: Comparable, Sendable {
            var time: Int64
            var id: Int
            static func < (a: Timer, b: Timer) -> Bool { a.time < b.time }
        }
        var heap = TimerHeap<Timer>()
        let timers = (0..<500).map { Timer(time: Int64($0 * 7919 % 21), id: $0) }  // 21 deadlines, shuffled
        for t in timers { heap.push(t) }
        #expect(heap.count == 500)
        #expect(heap.top?.time == timers.map(\.time).min())
        var out: [Timer] = []
        while let t = heap.pop(where: { $0.time <= 10 }) { out.append(t) }
        while let t = heap.pop() { out.append(t) }
        #expect(out.map(\.id) == timers.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element.id))
        #expect(heap.isEmpty && heap.top == nil)
    }

    @Test func eventTimeArithmeticSaturates() {
        #expect(EventTime.add(.max, 1) == .max)
        #expect(EventTime.add(.min, -1) == .min)
        #expect(EventTime.maxTimestamp(end: .min) == .min)
        #expect(EventTime.multiply(.min / 2, 3) == .min)
        #expect(EventTime.multiply(-4, 5) == -20)
    }
}

@Suite struct KeyCodecTests {
    static let samples: [Value] = [
        .null, .int(.min), .int(-1), .int(0), .int(1), .int(.max), .float(-.infinity), .float(-2.5), .float(-0.0),
        .float(0.0), .float(1e-300), .float(3), .float(.infinity), .string(""), .string("a"), .string("a\u{0}"),
        .string("a\u{0}b"), .string("ab"), .string("b"), .string("ü"), .bool(false), .bool(true),
        .timestamp(-5), .timestamp(1_700_000_000_000),
    ]

    @Test func roundTripsEveryTypeIncludingMultiFieldKeys() {
        for a in Self.samples {
            let want: Value = a == .float(-0.0) ? .float(0.0) : a
            #expect(KeyCodec.decode(KeyCodec.encode([a])) == [want])
            for b in Self.samples.prefix(8) {
                #expect(KeyCodec.decode(KeyCodec.encode([a, b, a])).count == 3)
            }
        }
    }

    @Test func bytesOrderMatchesValueOrderWithinEachType() {
        func rank(_ v: Value) -> Int {
            switch v {
            case .null: return 0
            case .int: return 1
            case .float: return 2
            case .string: return 3
            case .bool: return 4
            case .timestamp: return 5
            }
        }
        func less(_ a: Value, _ b: Value) -> Bool {
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            switch (a, b) {
            case (.int(let x), .int(let y)), (.timestamp(let x), .timestamp(let y)): return x < y
            case (.float(let x), .float(let y)): return x < y
            case (.string(let x), .string(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
            case (.bool(let x), .bool(let y)): return !x && y
            default: return false
            }
        }
        for a in Self.samples {
            for b in Self.samples {
                let byBytes = KeyCodec.encode([a]).lexicographicallyPrecedes(KeyCodec.encode([b]))
                #expect(byBytes == less(a, b), "\(a) vs \(b)")
                // A longer first field never makes a key sort wrongly against the second field.
                let pairA = KeyCodec.encode([a, .int(1)]), pairB = KeyCodec.encode([b, .int(0)])
                if less(a, b) { #expect(pairA.lexicographicallyPrecedes(pairB), "\(a) vs \(b)") }
            }
        }
    }

    @Test func batchKeysMatchValueEncodingAndDecodeIntoBuilders() {
        let schema = Schema([Field("i", .int), Field("s", .string), Field("f", .float), Field("b", .bool), Field("t", .timestamp)])
        let rows: [[Value]] = [
            [.int(1), .string("x\u{0}y"), .float(-0.0), .bool(true), .timestamp(7)],
            [.null, .null, .null, .null, .null],
            [.int(-9), .string(""), .float(2.5), .bool(false), .timestamp(-1)],
        ]
        let batch = RecordBatch(schema: schema, rows: rows)
        let types = schema.fields.map(\.type)
        let keys = BytesStateKey.keys(of: batch, fields: [0, 1, 2, 3, 4], types: types)
        for (i, row) in rows.enumerated() {
            #expect(keys[i].bytes == KeyCodec.encode(row))
            var builder = BatchBuilder(schema: schema)
            keys[i].append(to: &builder, firstColumn: 0)
            builder.endRow()
            let want = row.map { $0 == .float(-0.0) ? .float(0.0) : $0 }
            #expect(builder.finish().rows(schema: schema) == [want])
            #expect(keys[i].values(types: types) == want)
        }
        let ints = IntStateKey.keys(of: batch, fields: [4], types: [.timestamp])
        #expect(ints == [IntStateKey(7), IntStateKey(0, isNull: true), IntStateKey(-1)])
        #expect(ints[1] < ints[2] && ints[2] < ints[0])
        #expect(ints[0].canonicalBytes(types: [.timestamp]) == KeyCodec.encode([.timestamp(7)]))
    }
}
