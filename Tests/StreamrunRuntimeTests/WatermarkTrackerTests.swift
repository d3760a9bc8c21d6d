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
