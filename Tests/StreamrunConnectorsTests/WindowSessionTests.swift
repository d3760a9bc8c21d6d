@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@Suite struct WindowSessionTests {
    let aggs = WindowTest.aggs([("n", .count, nil), ("lo", .min, "x"), ("first", .first, "x"), ("last", .last, "x")])

    func r(_ k: Int64, _ start: Int64, _ end: Int64, _ n: Int64, _ lo: Int64, _ first: Int64, _ last: Int64) -> [Value] {
        [.int(k), .timestamp(start), .timestamp(end), .int(n), .int(lo), .int(first), .int(last)]
    }

    @Test func recordsWithinTheGapShareASession() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .session(gapMs: 10), aggregates: aggs))
        try d.feed([WindowTest.row(1, 0, x: 5), WindowTest.row(1, 5, x: 3), WindowTest.row(1, 30, x: 9)])
        #expect(d.watermark(13).isEmpty)
        #expect(d.watermark(14) == [r(1, 0, 15, 2, 3, 5, 3)])
        #expect(d.watermark(.max) == [r(1, 30, 40, 1, 9, 9, 9)])
    }

    @Test func touchingSessionsMerge() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .session(gapMs: 10), aggregates: aggs))
        try d.feed([WindowTest.row(1, 0, x: 1), WindowTest.row(1, 10, x: 2), WindowTest.row(1, 21, x: 3)])
        d.watermark(.max)
        #expect(d.emitted == [r(1, 0, 20, 2, 1, 1, 2), r(1, 21, 31, 1, 3, 3, 3)])
    }

    @Test func outOfOrderRecordBridgesTwoSessions() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .session(gapMs: 10), aggregates: aggs))
        try d.feed([WindowTest.row(1, 0, x: 4), WindowTest.row(1, 25, x: 6), WindowTest.row(2, 12, x: 0)])
        #expect(d.machine.openWindows == 3)
        try d.feed([WindowTest.row(1, 12, x: 5)])  // [12,22) neither touches [0,10) nor [25,35): a new session
        #expect(d.machine.openWindows == 4)
        try d.feed([WindowTest.row(1, 9, x: 7)])   // [9,19) bridges [0,10) and [12,22)
        #expect(d.machine.openWindows == 3)
        try d.feed([WindowTest.row(1, 16, x: 8)])  // [16,26) bridges [0,22) and [25,35)
        #expect(d.machine.openWindows == 2)
        d.watermark(.max)
        #expect(d.emitted == [r(2, 12, 22, 1, 0, 0, 0), r(1, 0, 35, 5, 4, 4, 6)])
    }

    @Test func firstAndLastBreakTiesByArrival() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .session(gapMs: 10), aggregates: aggs))
        try d.feed([WindowTest.row(1, 5, x: 1), WindowTest.row(1, 5, x: 2), WindowTest.row(1, 30, x: 3), WindowTest.row(1, 30, x: 4)])
        try d.feed([WindowTest.row(1, 15, x: 9), WindowTest.row(1, 25, x: 10)])  // merges both sessions
        d.watermark(.max)
        #expect(d.emitted == [r(1, 5, 40, 6, 1, 1, 4)])
    }

    @Test func lateRecordCanExtendAKeptSession() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .session(gapMs: 10), aggregates: aggs, lateness: 10))
        try d.feed([WindowTest.row(1, 0, x: 1)])
        #expect(d.watermark(12) == [r(1, 0, 10, 1, 1, 1, 1)])
        // [-5,5) alone is late-but-allowed; it merges into the kept [0,10): re-emitted as [-5,10).
        #expect(try d.feed([WindowTest.row(1, -5, x: 0)]) == [r(1, -5, 10, 2, 0, 0, 1)])
        // [8,18) extends the fired session past the watermark: it fires again later.
        #expect(try d.feed([WindowTest.row(1, 8, x: 3)]).isEmpty)
        #expect(d.watermark(16).isEmpty)
        #expect(d.watermark(17) == [r(1, -5, 18, 3, 0, 0, 3)])
        d.watermark(26)
        #expect(d.machine.store.count == 1)
        d.watermark(27)
        #expect(d.machine.store.isEmpty)
        // A record whose own session and every session it could join are purged is late.
        try d.feed([WindowTest.row(1, 0, x: 1)])
        #expect(d.late.count == 1)
    }

    @Test func lateRecordIsNotMergedIntoItsOwnPurgedSession() throws {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .session(gapMs: 10), aggregates: aggs))
        try d.feed([WindowTest.row(1, 0, x: 1)])
        d.watermark(9)
        #expect(d.emitted.count == 1)
        let late = WindowTest.row(1, -3, x: 2)
        try d.feed([late])
        #expect(d.late == [late])
        #expect(d.machine.store.isEmpty)
    }
}
