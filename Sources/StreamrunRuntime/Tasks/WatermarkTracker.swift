import StreamrunCore

/// Combines per-input watermarks into one: the minimum over inputs that have neither ended nor gone
/// idle.
///
/// A pure state machine: each update returns the new combined watermark only when it advanced.
/// An idle input is left out of the minimum until it sends a record or a watermark again; the
/// combined watermark never goes back.
public struct WatermarkTracker: Sendable {
    var perInput: [Watermark]
    var ended: [Bool]
    var idle: [Bool]
    public private(set) var combined: Watermark = .min

    public init(inputs: Int) {
        perInput = Array(repeating: .min, count: inputs)
        ended = Array(repeating: false, count: inputs)
        idle = Array(repeating: false, count: inputs)
    }

    public enum IdleOutcome: Sendable, Equatable {
        /// Leaving the input out let the combined watermark advance.
        case advanced(Watermark)
        /// Every input that has not ended is idle: the task itself is idle.
        case allIdle
        case unchanged
    }

    /// Input `i` went idle.
    public mutating func idle(input i: Int) -> IdleOutcome {
        idle[i] = true
        if let w = recompute() { return .advanced(w) }
        let live = perInput.indices.filter { !ended[$0] }
        return !live.isEmpty && live.allSatisfy { idle[$0] } ? .allIdle : .unchanged
    }

    /// Input `i` sent records: it is active again.
    public mutating func activate(input i: Int) { idle[i] = false }

    /// Input `i` reports watermark `w`; returns the combined watermark if it advanced.
    public mutating func update(input i: Int, watermark w: Watermark) -> Watermark? {
        idle[i] = false
        if w > perInput[i] { perInput[i] = w }
        return recompute()
    }

    /// Input `i` ended: it no longer holds the combined watermark back.
    public mutating func end(input i: Int) -> Watermark? {
        ended[i] = true
        perInput[i] = .max
        return recompute()
    }

    mutating func recompute() -> Watermark? {
        var m = Watermark.max
        var live = false
        for i in perInput.indices where !ended[i] && !idle[i] {
            m = Swift.min(m, perInput[i])
            live = true
        }
        // Only idle inputs remain open: hold (do not jump to +inf).
        if !live && ended.contains(false) { return nil }
        guard m > combined else { return nil }
        combined = m
        return m
    }
}
