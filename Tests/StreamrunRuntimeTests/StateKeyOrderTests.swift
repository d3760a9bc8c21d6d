import Foundation
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

    /// `PrefixSort` gives exactly what a stable sort by prefix gives: short and long inputs, prefixes
    /// that differ only in low bytes (skipped digit passes), spread ones, and many ties.
    @Test func prefixSortIsAStableSortByPrefix() {
        let seed = ProcessInfo.processInfo.environment["PREFIX_SORT_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("prefixSortIsAStableSortByPrefix seed \(seed) (PREFIX_SORT_SEED=\(seed) replays it)")
        var rng = SplitMix64(seed: seed)
        var scratch: [(prefix: UInt64, position: Int32)] = []
        for n in [0, 1, 2, 63, 64, 65, 1000, 5000] {
            for shape in ["low bytes", "spread", "ties", "one digit"] {
                var pairs: [(prefix: UInt64, position: Int32)] = (0..<n).map { i in
                    let p: UInt64
                    switch shape {
                    case "low bytes": p = (1 << 63) | UInt64.random(in: 0..<100_000, using: &rng)
                    case "spread": p = rng.next()
                    case "ties": p = UInt64.random(in: 0..<4, using: &rng) << 40
                    default: p = UInt64.random(in: 0..<256, using: &rng) << 16
                    }
                    return (p, Int32(i))
                }
                var expected = pairs
                expected.sort { ($0.prefix, $0.position) < ($1.prefix, $1.position) }  // what a stable sort gives
                PrefixSort.sort(&pairs, scratch: &scratch)
                #expect(pairs.map(\.prefix) == expected.map(\.prefix), "\(shape), n \(n), seed \(seed)")
                #expect(pairs.map(\.position) == expected.map(\.position), "not stable: \(shape), n \(n), seed \(seed)")
            }
        }
    }
}
