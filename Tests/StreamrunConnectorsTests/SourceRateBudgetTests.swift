import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// Issue 11, item 16: `maxRecordsPerSecond` was divided by the parallelism even for a subtask without
/// a split (1000/s at parallelism 2 over one small file read at ~500/s). The rate is now shared by
/// the active splits. No timing here: the shares are pure functions of split counts.
@Suite struct SourceRateBudgetTests {
    @Test func sharesFollowActiveSplits() {
        #expect(SourceRateBudget.share(1000, active: 1, ofAll: 1) == 1000)
        #expect(SourceRateBudget.share(1000, active: 0, ofAll: 1) == 0)
        #expect(SourceRateBudget.share(900, active: 2, ofAll: 3) == 600)
        #expect(SourceRateBudget.share(900, active: 0, ofAll: 0) == 0)
    }

    @Test func aSubtaskWithoutASplitLeavesTheWholeRateToTheOthers() {
        let budget = SourceRateBudget(perSecond: 1000, activeSplits: [1, 0])
        #expect(budget.rate(subtask: 0) == 1000)
        #expect(budget.rate(subtask: 1) == 0)
    }

    @Test func finishedSplitsGiveTheirShareBack() {
        let budget = SourceRateBudget(perSecond: 1200, activeSplits: [2, 1, 1])
        #expect([0, 1, 2].map(budget.rate(subtask:)) == [600, 300, 300])
        budget.setActiveSplits(1, subtask: 0)
        #expect([0, 1, 2].map(budget.rate(subtask:)) == [400, 400, 400])
        budget.setActiveSplits(0, subtask: 1)
        budget.setActiveSplits(0, subtask: 2)
        #expect(budget.rate(subtask: 0) == 1200)
    }

    @Test func batchesStaySmallAtLowRates() {
        #expect(RateLimiter.batchRows(perSecond: 0) == 1)
        #expect(RateLimiter.batchRows(perSecond: 1000) == 50)
        #expect(RateLimiter.batchRows(perSecond: 1e9) == 2048)
    }

    @Test func fileSubtasksOfOneRunStartFromTheSplitAssignment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rate-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(#"{"id": 1}"#.utf8).write(to: dir.appendingPathComponent("only.jsonl"))
        let spec = SourceSpec(id: "in", kind: .file, path: dir.path, format: .jsonl, schema: Schema([Field("id", .int)]),
                              maxRecordsPerSecond: 1000)
        let budgets = SourceRateBudgets()
        let readers = try (0..<2).map { i in
            try FileSourceReader(spec: spec, subtask: i, parallelism: 2, stop: StopFlag(), rateBudgets: budgets) {
                RecordDecoders.make(for: spec)
            }
        }
        // One file, one split, on subtask 0: it reads at the whole rate (it read at 500/s before).
        #expect(readers[0].limiter?.perSecond == 1000)
        #expect(readers[1].limiter?.perSecond == 0)
        #expect(readers[0].limiter?.budget === readers[1].limiter?.budget)
    }

    @Test func generatorSubtasksShareByRemainingSplits() {
        // 3 splits at parallelism 2: subtask 0 owns splits 0 and 2, subtask 1 owns split 1.
        let spec = SourceSpec(id: "g", kind: .generator, maxRecordsPerSecond: 900, count: 1_000_000, splits: 3)
        let budgets = SourceRateBudgets()
        let readers = (0..<2).map { GeneratorSourceReader(spec: spec, subtask: $0, parallelism: 2, stop: StopFlag(), rateBudgets: budgets) }
        #expect(readers.map { $0.limiter?.perSecond } == [600, 300])
        // Only 100 bids: all in split 0's first block, so the other splits are empty from the start.
        var small = spec
        small.count = 100
        let fresh = SourceRateBudgets()
        let few = (0..<2).map { GeneratorSourceReader(spec: small, subtask: $0, parallelism: 2, stop: StopFlag(), rateBudgets: fresh) }
        #expect(few.map { $0.limiter?.perSecond } == [900, 0])
    }
}
