@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@Suite struct WindowAssignmentTests {
    /// (start, end, count) of every emitted row for key 1.
    func windows(_ rows: [[Value]]) -> [[Int64]] {
        rows.map { r in
            guard case .timestamp(let s) = r[1], case .timestamp(let e) = r[2], case .int(let n) = r[3] else { return [] }
            return [s, e, n]
        }
    }

    @Test func tumblingBoundariesIncludingNegativeAndZero() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10)))
        try d.feed([-11, -10, -1, 0, 9, 10].map { WindowTest.row(1, $0) })
        d.watermark(.max)
        #expect(windows(d.emitted) == [[-20, -10, 1], [-10, 0, 2], [0, 10, 2], [10, 20, 1]])
    }

    @Test func firesAtEndMinusOneAndNotBefore() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10)))
        try d.feed([WindowTest.row(1, 0), WindowTest.row(1, 9), WindowTest.row(1, 10)])
        #expect(d.watermark(8).isEmpty)
        #expect(windows(d.watermark(9)) == [[0, 10, 2]])
        #expect(d.watermark(18).isEmpty)
        #expect(windows(d.watermark(19)) == [[10, 20, 1]])
        #expect(d.machine.openWindows == 0)
        #expect(d.machine.store.isEmpty)
    }

    @Test func slidingOverlaps() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .sliding(sizeMs: 10, slideMs: 5)))
        try d.feed([4, 5, 7, -1].map { WindowTest.row(1, $0) })
        d.watermark(.max)
        // 4 ∈ [-5,5) [0,10); 5 ∈ [0,10) [5,15); 7 ∈ [0,10) [5,15); -1 ∈ [-10,0) [-5,5)
        #expect(windows(d.emitted) == [[-10, 0, 1], [-5, 5, 2], [0, 10, 3], [5, 15, 2]])
    }

    @Test func slidingWithUnevenSlide() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .sliding(sizeMs: 10, slideMs: 3)))
        try d.feed([WindowTest.row(1, 9)])
        d.watermark(.max)
        // starts that are multiples of 3 with s <= 9 < s + 10: 0, 3, 6, 9
        #expect(windows(d.emitted) == [[0, 10, 1], [3, 13, 1], [6, 16, 1], [9, 19, 1]])
    }

    @Test func slideEqualToSizeIsTumbling() throws {
        let times: [Int64] = [-21, -10, -1, 0, 3, 9, 10, 25, 29, 30]
        var sliding = try WindowDriver<IntStateKey>(try WindowTest.node(window: .sliding(sizeMs: 10, slideMs: 10)))
        var tumbling = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10)))
        try sliding.feed(times.map { WindowTest.row(1, $0) })
        try tumbling.feed(times.map { WindowTest.row(1, $0) })
        sliding.watermark(.max)
        tumbling.watermark(.max)
        #expect(sliding.emitted == tumbling.emitted)
        #expect(sliding.emitted.count == 6)  // [-30,-20) [-10,0) [0,10) [10,20) [20,30) [30,40)
    }

    @Test func outputOrderIsEndThenStartThenKey() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .sliding(sizeMs: 10, slideMs: 5)))
        try d.feed([WindowTest.row(3, 7), WindowTest.row(nil, 2), WindowTest.row(-5, 12), WindowTest.row(3, 1)])
        d.watermark(.max)
        let order = d.emitted.map { r -> [Value] in [r[2], r[1], r[0]] }
        let expected: [[Value]] = [
            [.timestamp(5), .timestamp(-5), .null], [.timestamp(5), .timestamp(-5), .int(3)],
            [.timestamp(10), .timestamp(0), .null], [.timestamp(10), .timestamp(0), .int(3)],
            [.timestamp(15), .timestamp(5), .int(-5)], [.timestamp(15), .timestamp(5), .int(3)],
            [.timestamp(20), .timestamp(10), .int(-5)],
        ]
        #expect(order == expected)
    }

    @Test func outputDoesNotDependOnWatermarkBatching() throws {
        let node = try WindowTest.node(window: .tumbling(sizeMs: 10))
        let rows: [[Value]] = (0..<200).map { (i: Int) -> [Value] in
            let k = Int64((i * 7) % 13) - 6
            return WindowTest.row(k, Int64((i * 37) % 100))
        }
        var oneStep = try WindowDriver<IntStateKey>(node)
        var manySteps = try WindowDriver<IntStateKey>(node)
        try oneStep.feed(rows)
        try manySteps.feed(rows)
        oneStep.watermark(.max)
        for w in stride(from: Int64(-3), through: 120, by: 7) { manySteps.watermark(Watermark(milliseconds: w)) }
        manySteps.watermark(.max)
        #expect(oneStep.emitted == manySteps.emitted)
        let distinct = Set(rows.map { r -> [Value] in
            guard case .timestamp(let t) = r[1] else { return [] }
            return [r[0], .int(t / 10)]
        })
        #expect(oneStep.emitted.count == distinct.count)
    }

    @Test func stringAndMultiFieldKeysOrderBytewise() throws {
        let node = try WindowTest.node(keyBy: ["s", "b"], window: .tumbling(sizeMs: 10))
        var d = try WindowDriver<BytesStateKey>(node)
        func r(_ s: String?, _ b: Bool?) -> [Value] {
            [.int(0), .timestamp(1), .null, .null, s.map { .string($0) } ?? .null, b.map { .bool($0) } ?? .null]
        }
        try d.feed([r("b", true), r("ab", nil), r("", false), r(nil, true), r("a", true), r("b", false), r("ab", nil)])
        d.watermark(.max)
        let keys = d.emitted.map { [$0[0], $0[1], $0[4]] }
        let expected: [[Value]] = [
            [.null, .bool(true), .int(1)], [.string(""), .bool(false), .int(1)], [.string("a"), .bool(true), .int(1)],
            [.string("ab"), .null, .int(2)], [.string("b"), .bool(false), .int(1)], [.string("b"), .bool(true), .int(1)],
        ]
        #expect(keys == expected)
    }

    @Test func globalWindowHasNoKeyColumns() throws {
        let node = try WindowTest.node(keyBy: [], window: .tumbling(sizeMs: 10))
        #expect(node.outputSchema.names == ["window_start", "window_end", "n"])
        var d = try WindowDriver<BytesStateKey>(node)
        try d.feed([WindowTest.row(1, 1), WindowTest.row(2, 2), WindowTest.row(3, 12)])
        d.watermark(.max)
        #expect(d.emitted == [[.timestamp(0), .timestamp(10), .int(2)], [.timestamp(10), .timestamp(20), .int(1)]])
    }

    @Test func intKeyFastPathMatchesBytesPath() throws {
        let node = try WindowTest.node(window: .sliding(sizeMs: 20, slideMs: 5))
        let rows: [[Value]] = (0..<300).map { (i: Int) -> [Value] in
            let k: Int64? = i % 11 == 0 ? nil : Int64(i % 7) - 3
            return WindowTest.row(k, Int64((i * 31) % 97) - 20)
        }
        var a = try WindowDriver<IntStateKey>(node)
        var b = try WindowDriver<BytesStateKey>(node)
        try a.feed(rows)
        try b.feed(rows)
        a.watermark(40)
        b.watermark(40)
        a.watermark(.max)
        b.watermark(.max)
        #expect(a.emitted == b.emitted)
        #expect(a.groups.count == 2)
    }

    @Test func hugeTimestampsDoNotTrap() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .sliding(sizeMs: 10, slideMs: 5)))
        try d.feed([WindowTest.row(1, .max), WindowTest.row(1, .min), WindowTest.row(1, .max - 3)])
        d.watermark(.max)
        #expect(d.emitted.count >= 2)
        #expect(d.machine.store.isEmpty)
    }
}
