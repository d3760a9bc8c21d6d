import StreamrunCore
import StreamrunRuntime
import Testing

@Suite struct WatermarkTrackerTests {
    @Test func combinedIsMinimumOverInputs() {
        var t = WatermarkTracker(inputs: 3)
        #expect(t.update(input: 0, watermark: 10) == nil)
        #expect(t.update(input: 1, watermark: 5) == nil)
        #expect(t.update(input: 2, watermark: 7) == 5)
        #expect(t.update(input: 1, watermark: 20) == 7)
        #expect(t.combined == 7)
    }

    @Test func watermarksNeverGoBackwards() {
        var t = WatermarkTracker(inputs: 1)
        #expect(t.update(input: 0, watermark: 10) == 10)
        #expect(t.update(input: 0, watermark: 3) == nil)
        #expect(t.combined == 10)
    }

    @Test func endedInputStopsHoldingBack() {
        var t = WatermarkTracker(inputs: 2)
        _ = t.update(input: 0, watermark: 100)
        #expect(t.end(input: 1) == 100)
        #expect(t.end(input: 0) == Watermark.max)
    }
}

@Suite struct WatermarkIdlenessTests {
    @Test func idleInputStopsHoldingBack() {
        var t = WatermarkTracker(inputs: 2)
        #expect(t.update(input: 0, watermark: 50) == nil)  // input 1 still at -inf
        #expect(t.idle(input: 1) == .advanced(50))
        #expect(t.update(input: 0, watermark: 60) == 60)
    }

    @Test func idleInputRejoinsWithoutMovingBack() {
        var t = WatermarkTracker(inputs: 2)
        _ = t.update(input: 0, watermark: 50)
        _ = t.idle(input: 1)
        #expect(t.update(input: 1, watermark: 10) == nil)  // active again, but 10 < 50: no regress
        #expect(t.combined == 50)
        #expect(t.update(input: 0, watermark: 70) == nil)  // input 1 holds at 10 now
        #expect(t.update(input: 1, watermark: 80) == 70)
    }

    @Test func allIdleMakesTheTaskIdleButNeverJumpsToInfinity() {
        var t = WatermarkTracker(inputs: 3)
        #expect(t.end(input: 2) == nil)
        #expect(t.idle(input: 0) == .unchanged)
        #expect(t.idle(input: 1) == .allIdle)
        #expect(t.combined == Watermark.min)
    }

    @Test func recordsReactivate() {
        var t = WatermarkTracker(inputs: 2)
        _ = t.update(input: 0, watermark: 5)
        _ = t.idle(input: 1)
        t.activate(input: 1)
        #expect(t.update(input: 0, watermark: 9) == nil)  // input 1 is active at -inf again
    }
}
