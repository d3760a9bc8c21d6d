@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@Suite struct WindowLatenessTests {
    let sumAggs = WindowTest.aggs([("n", .count, nil), ("sx", .sum, "x")])

    func r(_ start: Int64, _ end: Int64, _ n: Int64, _ sx: Int64?) -> [Value] {
        [.int(1), .timestamp(start), .timestamp(end), .int(n), sx.map { .int($0) } ?? .null]
    }

    @Test func withoutLatenessRecordsForFiredWindowsGoToLate() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10), aggregates: sumAggs))
        try d.feed([WindowTest.row(1, 3, x: 1)])
        #expect(d.watermark(9) == [r(0, 10, 1, 1)])
        let late = WindowTest.row(1, 9, x: 5)
        let onTime = WindowTest.row(1, 10, x: 7)
        #expect(try d.feed([late, onTime]).isEmpty)
        #expect(d.late == [late])
        #expect(d.watermark(.max) == [r(10, 20, 1, 7)])
    }

    @Test func allowedLatenessReEmitsOncePerBatchThenPurges() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10), aggregates: sumAggs, lateness: 5))
        try d.feed([WindowTest.row(1, 3, x: 1)])
        #expect(d.watermark(9) == [r(0, 10, 1, 1)])
        // Two late-but-allowed records in one batch: one re-emission with the full result.
        #expect(try d.feed([WindowTest.row(1, 4, x: 10), WindowTest.row(1, 0, x: 100)]) == [r(0, 10, 3, 111)])
        #expect(d.watermark(13).isEmpty)
        #expect(try d.feed([WindowTest.row(1, 9, x: 1000)]) == [r(0, 10, 4, 1111)])
        #expect(d.late.isEmpty)
        // Purge at w = end - 1 + lateness = 14: the window is gone, later records are late.
        d.watermark(14)
        #expect(d.machine.store.isEmpty)
        let late = WindowTest.row(1, 5, x: 1)
        #expect(try d.feed([late]).isEmpty)
        #expect(d.late == [late])
    }

    @Test func newWindowWithinLatenessFiresRightAway() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10), aggregates: sumAggs, lateness: 20))
        d.watermark(25)
        // [0,10) is past its fire time (9 <= 25) but within lateness (9 + 20 > 25).
        #expect(try d.feed([WindowTest.row(1, 2, x: 4), WindowTest.row(1, 26, x: 1)]) == [r(0, 10, 1, 4)])
        #expect(d.watermark(28).isEmpty)
        #expect(d.watermark(29) == [r(20, 30, 1, 1)])
        #expect(d.machine.openWindows == 1)  // [20,30) kept until 49
        d.watermark(48)
        #expect(d.machine.openWindows == 1)
        d.watermark(49)
        #expect(d.machine.openWindows == 0)
    }

    @Test func slidingRecordIsLateOnlyWhenEveryWindowIs() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .sliding(sizeMs: 10, slideMs: 5), aggregates: sumAggs))
        try d.feed([WindowTest.row(1, 1, x: 1)])
        #expect(d.watermark(9) == [r(-5, 5, 1, 1), r(0, 10, 1, 1)])
        // t = 7 is in [0,10) (fired) and [5,15) (open): counted once in [5,15), not late.
        try d.feed([WindowTest.row(1, 7, x: 2)])
        #expect(d.late.isEmpty)
        #expect(d.watermark(.max) == [r(5, 15, 1, 2)])
        let late = WindowTest.row(1, 4, x: 3)  // [-5,5) and [0,10): both fired and purged
        try d.feed([late])
        #expect(d.late == [late])
    }

    @Test func nullEventTimeIsLate() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10)))
        let row: [Value] = [.int(1), .null, .null, .null, .null, .null]
        try d.feed([row])
        #expect(d.late == [row])
        #expect(d.machine.store.isEmpty)
    }

    @Test func stateTtlDropsIdleKeysAsTheWatermarkPasses() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 100), ttl: 10))
        try d.feed([WindowTest.row(1, 0), WindowTest.row(2, 15), WindowTest.row(3, 5)])
        d.watermark(9)
        #expect(d.machine.store.count == 3)
        d.watermark(10)  // key 1 touched at 0: 0 + 10 <= 10
        #expect(d.machine.store.count == 2)
        try d.feed([WindowTest.row(3, 12)])  // key 3 touched again at 12
        d.watermark(21)
        #expect(d.machine.store.count == 2)  // key 2 (15 + 10 > 21) and key 3 (12 + 10 > 21) stay
        #expect(d.machine.store.value(IntStateKey(3), group: d.machine.store.group(forHash: hash(3))) != nil)
        d.watermark(25)
        #expect(d.machine.store.isEmpty)
        #expect(d.watermark(.max).isEmpty)
    }

    func hash(_ k: Int64) -> UInt64 {
        RecordBatch(schema: WindowTest.schema, rows: [WindowTest.row(k, 0)]).keyHashes([0])[0]
    }

    @Test func windowsDueAtTheSameWatermarkFireBeforeTtlExpiry() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 10), ttl: 5))
        try d.feed([WindowTest.row(1, 4)])
        #expect(d.watermark(20).count == 1)
        #expect(d.machine.store.isEmpty)
    }

    @Test func operatorRoutesLateRowsCountsThemAndForwardsWatermarks() async throws {
        let node = try WindowTest.node(window: .tumbling(sizeMs: 10))
        let metrics = NodeMetrics(id: "w", kind: "window")
        let (context, main, late) = OperatorContext.collecting(late: true, metrics: metrics)
        let op = try WindowOperators.make(node: node, plan: { if case .window(let p) = node.kind { return p }; fatalError() }())
        let input = WindowTest.schema
        try await op.process(RecordBatch(schema: input, rows: [WindowTest.row(1, 1), WindowTest.row(2, 2)]), context: context)
        try await op.processWatermark(9, context: context)
        #expect(main.rows(schema: node.outputSchema).count == 2)
        #expect(main.watermarks == [9])
        #expect(late?.watermarks == [9])
        let lateRow = WindowTest.row(1, 3)
        try await op.process(RecordBatch(schema: input, rows: [lateRow, WindowTest.row(1, 11)]), context: context)
        #expect(late?.rows(schema: input) == [lateRow])
        #expect(metrics.lateRecords.load == 1)
        try await op.processWatermark(.max, context: context)
        #expect(main.rows(schema: node.outputSchema).last == [.int(1), .timestamp(10), .timestamp(20), .int(1)])
        #expect(main.watermarks == [9, .max])
    }

    @Test func lateRowsAreCountedWithoutALateConsumer() async throws {
        let node = try WindowTest.node(window: .tumbling(sizeMs: 10))
        let metrics = NodeMetrics(id: "w", kind: "window")
        let (context, _, late) = OperatorContext.collecting(late: false, metrics: metrics)
        #expect(late == nil)
        guard case .window(let plan) = node.kind else { return }
        let op = try WindowOperators.make(node: node, plan: plan)
        try await op.processWatermark(100, context: context)
        try await op.process(RecordBatch(schema: WindowTest.schema, rows: [WindowTest.row(1, 1), WindowTest.row(1, 2)]), context: context)
        #expect(metrics.lateRecords.load == 2)
    }
}
