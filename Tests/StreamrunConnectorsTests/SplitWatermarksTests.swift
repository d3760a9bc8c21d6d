import StreamrunCore
import Testing

@testable import StreamrunConnectors

@Suite struct SplitWatermarksTests {
    @Test func minimumOverSplitsMinusBoundMinusOne() {
        var w = SplitWatermarks(splits: 2, maxOutOfOrdernessMs: 100)
        w.observe(split: 0, maxEventTime: 1000, now: 0)
        #expect(w.advance(now: 0) == nil)  // split 1 has seen nothing: -inf
        w.observe(split: 1, maxEventTime: 500, now: 0)
        #expect(w.advance(now: 0) == .watermark(399))
        w.observe(split: 1, maxEventTime: 2000, now: 0)
        #expect(w.advance(now: 0) == .watermark(899))
    }

    @Test func finishedSplitStopsHoldingBack() {
        var w = SplitWatermarks(splits: 2, maxOutOfOrdernessMs: 0)
        w.observe(split: 0, maxEventTime: 10, now: 0)
        w.finish(split: 1)
        #expect(w.advance(now: 0) == .watermark(9))
        w.finish(split: 0)
        #expect(w.advance(now: 0) == nil)  // all finished: the task sends +inf
    }

    @Test func idleSplitIsLeftOutAfterTimeout() {
        var w = SplitWatermarks(splits: 2, maxOutOfOrdernessMs: 0, idleTimeoutMs: 100, now: 0)
        w.observe(split: 0, maxEventTime: 50, now: 90)
        #expect(w.advance(now: 90) == nil)  // split 1 not idle yet (90 ms)
        #expect(w.advance(now: 100) == .watermark(49))  // split 1 idle since 0
        w.observe(split: 0, maxEventTime: 80, now: 150)
        #expect(w.advance(now: 150) == .watermark(79))
    }

    @Test func allIdleReportsIdleOnceAndActivityEndsIt() {
        var w = SplitWatermarks(splits: 1, maxOutOfOrdernessMs: 0, idleTimeoutMs: 100, now: 0)
        w.observe(split: 0, maxEventTime: 10, now: 0)
        #expect(w.advance(now: 0) == .watermark(9))
        #expect(w.advance(now: 200) == .idle)
        #expect(w.advance(now: 300) == nil)
        w.observe(split: 0, maxEventTime: 20, now: 310)
        #expect(w.advance(now: 310) == .watermark(19))
        #expect(!w.isIdle)
    }

    @Test func noSplitsIsIdleOnlyWithATimeout() {
        var a = SplitWatermarks(splits: 0, maxOutOfOrdernessMs: 0, idleTimeoutMs: 100)
        #expect(a.advance(now: 0) == .idle)
        var b = SplitWatermarks(splits: 0, maxOutOfOrdernessMs: 0)
        #expect(b.advance(now: 1_000_000) == nil)
    }
}
