import StreamrunCore

/// Combines per-input watermarks into one: the minimum over inputs that have not ended.
///
/// A pure state machine: each update returns the new combined watermark only when it advanced.
public struct WatermarkTracker: Sendable {
    var perInput: [Int64]
    var ended: [Bool]
    public private(set) var combined: Int64 = Watermark.min

    public init(inputs: Int) {
        perInput = Array(repeating: Watermark.min, count: inputs)
        ended = Array(repeating: false, count: inputs)
    }

    /// Input `i` reports watermark `w`; returns the combined watermark if it advanced.
    public mutating func update(input i: Int, watermark w: Int64) -> Int64? {
        if w > perInput[i] { perInput[i] = w }
        return recompute()
    }

    /// Input `i` ended: it no longer holds the combined watermark back.
    public mutating func end(input i: Int) -> Int64? {
        ended[i] = true
        perInput[i] = Watermark.max
        return recompute()
    }

    mutating func recompute() -> Int64? {
        let m = perInput.min() ?? Watermark.max
        guard m > combined else { return nil }
        combined = m
        return m
    }
}
