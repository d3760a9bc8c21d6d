@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

/// Random records through the window operator against ``WindowReference``. Each test prints its
/// seed; `STREAMRUN_SEED=<seed> swift test --filter WindowPropertyTests` replays it.
@Suite struct WindowPropertyTests {
    typealias Ref = WindowReference

    /// One random run: records in a bounded out-of-order arrival, cut into batches.
    struct Scenario {
        var rows: [[Value]]
        var batches: [Range<Int>]
        var spec: WindowSpec

        init(_ rng: inout SeededRandom, sessions: Bool = true, nullTimes: Bool = false) {
            spec = Ref.randomWindow(&rng, sessions: sessions)
            let generated = Ref.randomRows(&rng, count: Int.random(in: 1...250, using: &rng), nullTimes: nullTimes)
            let disorder = Int64.random(in: 0...30, using: &rng)
            let keyed = generated.map { r -> (Int64, [Value]) in
                guard case .timestamp(let t) = r[1] else { return (Int64.random(in: -60...140, using: &rng), r) }
                return (t + Int64.random(in: 0...disorder, using: &rng), r)
            }
            rows = keyed.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
            batches = []
            var i = 0
            while i < rows.count {
                let n = Int.random(in: 1...20, using: &rng)
                batches.append(i..<min(i + n, rows.count))
                i += n
            }
        }

        func time(_ i: Int) -> Int64 { if case .timestamp(let t) = rows[i][1] { return t } else { return .max } }
    }

    /// No record is ever late: after a batch the watermark is at most (earliest time still to come) − 2,
    /// so streaming must give exactly the offline windows, each fired once, in output order.
    func checkOnTime<Key: StateKey>(_ key: Key.Type, keyBy: [String], seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let sc = Scenario(&rng)
        let node = try WindowTest.node(keyBy: keyBy, window: sc.spec, aggregates: Ref.aggregates)
        var d = try WindowDriver<Key>(node)
        let keyFields = keyBy.map { WindowTest.schema.index(of: $0)! }
        let records = sc.rows.enumerated().map { Ref.Record(row: $0.element, arrival: $0.offset) }
        let windows = Ref.offline(records, keyFields: keyFields, spec: sc.spec)
        var expected: [[Value]] = []
        var w = Int64.min
        func advance(to next: Int64) {
            guard next > w else { return }
            let due = windows.keys.filter { EventTime.maxTimestamp(end: $0.end) > w && EventTime.maxTimestamp(end: $0.end) <= next }
            expected += Ref.ordered(due).map { Ref.row($0, windows[$0]!) }
            d.watermark(Watermark(milliseconds: next))
            w = next
        }
        for batch in sc.batches {
            try d.feed(Array(sc.rows[batch]))
            if batch.upperBound < sc.rows.count && Bool.random(using: &rng) {
                advance(to: (batch.upperBound..<sc.rows.count).map(sc.time).min()! - 2)
            }
        }
        advance(to: .max)
        #expect(d.late.isEmpty, "seed \(seed)")
        #expect(d.emitted.count == expected.count, "seed \(seed) \(sc.spec)")
        for (got, want) in zip(d.emitted, expected) where got != want {
            Issue.record("seed \(seed) \(sc.spec): got \(got), want \(want)")
            break
        }
        #expect(d.machine.store.isEmpty, "seed \(seed)")
    }

    @Test func onTimeIntKey() throws {
        let seed = testSeed("onTimeIntKey")
        for i in 0..<60 { try checkOnTime(IntStateKey.self, keyBy: ["k"], seed: seed &+ UInt64(i)) }
    }

    @Test func onTimeMultiFieldKey() throws {
        let seed = testSeed("onTimeMultiFieldKey")
        for i in 0..<40 { try checkOnTime(BytesStateKey.self, keyBy: ["s", "k"], seed: seed &+ UInt64(i)) }
    }

    @Test func onTimeGlobalWindow() throws {
        let seed = testSeed("onTimeGlobalWindow")
        for i in 0..<30 { try checkOnTime(BytesStateKey.self, keyBy: [], seed: seed &+ UInt64(i)) }
    }

    /// Tumbling and sliding with random watermarks and allowed lateness: late rows, re-emissions and
    /// fired results must match a model that buffers every accepted record per window.
    func checkWithLateness(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let sc = Scenario(&rng, sessions: false, nullTimes: true)
        let lateness = Bool.random(using: &rng) ? 0 : Int64.random(in: 1...20, using: &rng)
        let node = try WindowTest.node(keyBy: ["k"], window: sc.spec, aggregates: Ref.aggregates, lateness: lateness)
        var d = try WindowDriver<IntStateKey>(node)
        var accepted: [Ref.Window: [Ref.Record]] = [:]
        var expected: [[Value]] = []
        var expectedLate: [[Value]] = []
        var w = Int64.min
        var maxSeen = Int64.min
        var arrival = 0
        for batch in sc.batches {
            var touched = Set<Ref.Window>()
            for row in sc.rows[batch] {
                defer { arrival += 1 }
                guard case .timestamp(let t) = row[1] else {
                    expectedLate.append(row)
                    continue
                }
                maxSeen = max(maxSeen, t)
                var any = false
                for (s, e) in Ref.windows(t, sc.spec) where !(e - 1 + lateness <= w) {
                    let win = Ref.Window(key: [row[0]], start: s, end: e)
                    accepted[win, default: []].append(Ref.Record(row: row, arrival: arrival))
                    if e - 1 <= w { touched.insert(win) }
                    any = true
                }
                if !any { expectedLate.append(row) }
            }
            expected += Ref.ordered(Array(touched)).map { Ref.row($0, accepted[$0]!) }
            try d.feed(Array(sc.rows[batch]))
            if Bool.random(using: &rng), maxSeen > .min {
                let next = maxSeen - Int64.random(in: 0...25, using: &rng)
                if next > w {
                    let due = accepted.keys.filter { $0.end - 1 > w && $0.end - 1 <= next }
                    expected += Ref.ordered(due).map { Ref.row($0, accepted[$0]!) }
                    d.watermark(Watermark(milliseconds: next))
                    w = next
                }
            }
        }
        let due = accepted.keys.filter { $0.end - 1 > w }
        expected += Ref.ordered(due).map { Ref.row($0, accepted[$0]!) }
        d.watermark(.max)
        #expect(d.late == expectedLate, "seed \(seed)")
        #expect(d.emitted.count == expected.count, "seed \(seed) \(sc.spec) lateness \(lateness)")
        for (got, want) in zip(d.emitted, expected) where got != want {
            Issue.record("seed \(seed) \(sc.spec) lateness \(lateness): got \(got), want \(want)")
            break
        }
        #expect(d.machine.store.isEmpty, "seed \(seed)")
    }

    @Test func tumblingAndSlidingWithLateness() throws {
        let seed = testSeed("tumblingAndSlidingWithLateness")
        for i in 0..<80 { try checkWithLateness(seed: seed &+ UInt64(i)) }
    }

    /// Two subtasks fed by the keyed partitioner: at each step, their outputs merged in output order
    /// equal the single-subtask output.
    @Test func parallelismDoesNotChangeSortedOutput() throws {
        let seed = testSeed("parallelismDoesNotChangeSortedOutput")
        for i in 0..<20 {
            var rng = SeededRandom(seed: seed &+ UInt64(i))
            let sc = Scenario(&rng)
            let node = try WindowTest.node(keyBy: ["k"], window: sc.spec, aggregates: Ref.aggregates, lateness: 5)
            var one = try WindowDriver<IntStateKey>(node)
            var two = [try WindowDriver<IntStateKey>(node), try WindowDriver<IntStateKey>(node)]
            var w = Int64.min
            for batch in sc.batches {
                let b = RecordBatch(schema: WindowTest.schema, rows: Array(sc.rows[batch]))
                var merged = try one.feed(b)
                let parts = KeyPartitioner.split(b, fields: [0], maxParallelism: 128, parallelism: 2)
                var fromTwo: [[Value]] = []
                for p in 0..<2 { fromTwo += try two[p].feed(parts[p]) }
                #expect(Ref.ordered(rows: fromTwo, keyCount: 1) == merged, "seed \(seed &+ UInt64(i))")
                let next = w == .min ? sc.time(batch.lowerBound) : w + Int64.random(in: 0...15, using: &rng)
                w = next
                merged = one.watermark(Watermark(milliseconds: next))
                fromTwo = two[0].watermark(Watermark(milliseconds: next)) + two[1].watermark(Watermark(milliseconds: next))
                #expect(Ref.ordered(rows: fromTwo, keyCount: 1) == merged, "seed \(seed &+ UInt64(i))")
            }
            let last = one.watermark(.max)
            #expect(Ref.ordered(rows: two[0].watermark(.max) + two[1].watermark(.max), keyCount: 1) == last)
            #expect(one.late == two[0].late + two[1].late || Set(one.late) == Set(two[0].late + two[1].late))
        }
    }
}
