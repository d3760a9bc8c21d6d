import StreamrunCore

/// Watermarks of one source subtask: per split, the highest event time seen minus the allowed
/// out-of-orderness (minus 1 ms, as Flink's bounded-out-of-orderness strategy), combined as the minimum
/// over splits that have not finished. A split that has not produced a record yet holds it at -inf.
public struct SplitWatermarks: Sendable {
    var maxSeen: [Int64]
    var finished: [Bool]
    let bound: Int64
    public private(set) var emitted: Int64 = Watermark.min

    public init(splits: Int, maxOutOfOrdernessMs: Int64) {
        maxSeen = Array(repeating: .min, count: splits)
        finished = Array(repeating: false, count: splits)
        bound = maxOutOfOrdernessMs
    }

    public mutating func observe(split: Int, maxEventTime t: Int64) {
        if t > maxSeen[split] { maxSeen[split] = t }
    }

    public mutating func finish(split: Int) { finished[split] = true }

    /// The combined watermark, if it advanced since the last call.
    public mutating func advance() -> Int64? {
        var m = Watermark.max
        for i in maxSeen.indices where !finished[i] {
            let w = maxSeen[i] == .min ? Watermark.min : maxSeen[i] &- bound &- 1
            m = min(m, w)
        }
        if m == Watermark.max { return nil }  // all finished: the task sends +inf itself
        guard m > emitted else { return nil }
        emitted = m
        return m
    }
}

extension RecordBatch {
    /// The highest non-null value of an int/timestamp column, or nil.
    func maxInt(column c: Int) -> Int64? {
        guard case .int(let a) = columns[c].storage, count > 0 else { return nil }
        if let v = columns[c].validity {
            var m: Int64?
            for i in 0..<count where v[i] { m = Swift.max(m ?? .min, a[i]) }
            return m
        }
        return a.max()
    }
}
