import StreamrunCore
import Testing

@testable import StreamrunRuntime

/// `orderPrefix` must never contradict the key order (`a < b` implies `a.orderPrefix <= b.orderPrefix`):
/// checkpoints sort keys by it first, so a violation would write keys out of order.
@Suite struct StateKeyOrderTests {
    static func checkMonotone<Key: StateKey>(_ keys: [Key]) {
        let sorted = keys.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            #expect(a.orderPrefix <= b.orderPrefix, "\(a) < \(b) but prefix \(a.orderPrefix) > \(b.orderPrefix)")
        }
    }

    @Test func intKeys() {
        let values: [Int64] = [.min, .min + 1, -1_000_000, -1, 0, 1, 255, 256, 1 << 40, .max - 1, .max]
        let keys = values.map { IntStateKey($0) } + [IntStateKey(0, isNull: true)]
        Self.checkMonotone(keys)
        #expect(IntStateKey(0, isNull: true).orderPrefix == 0)
        #expect(IntStateKey(-1).orderPrefix < IntStateKey(0).orderPrefix)
    }

    @Test func byteKeys() {
        var keys: [BytesStateKey] = [BytesStateKey([])]
        for a: UInt8 in [0, 1, 127, 255] {
            keys.append(BytesStateKey([a]))
            keys.append(BytesStateKey([a, 0]))
            keys.append(BytesStateKey([a] + [UInt8](repeating: 9, count: 7)))
            keys.append(BytesStateKey([a] + [UInt8](repeating: 9, count: 7) + [0]))
            keys.append(BytesStateKey([a] + [UInt8](repeating: 9, count: 7) + [5, 5]))
        }
        Self.checkMonotone(keys)
        #expect(BytesStateKey([1, 2]).orderPrefix == 0x0102_0000_0000_0000)
    }
}
