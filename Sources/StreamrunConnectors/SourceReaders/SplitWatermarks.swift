import StreamrunCore

/// Watermarks of one source subtask: per split, the highest event time seen minus the allowed
/// out-of-orderness (minus 1 ms, as Flink's bounded-out-of-orderness strategy), combined as the minimum
/// over splits that have neither finished nor gone idle. A split that has not produced a record yet
/// holds it at -inf.
///
/// Idleness (`idleTimeoutMs`) is measured in processing time, as in Flink: a split that produced nothing
/// for that long stops holding the watermark back until it produces again. When every open split is
/// idle (or the subtask has none), the subtask reports itself idle so downstream tasks do not wait for it.
/// A pure state machine: the caller passes the current monotonic time in milliseconds.
public struct SplitWatermarks: Sendable {
    public enum Update: Sendable, Equatable {
        case watermark(Watermark)
        case idle
    }

    var maxSeen: [EventTime] = []
    var finished: [Bool] = []
    var lastActive: [Int64] = []
    let bound: Int64
    let idleTimeoutMs: Int64?
    public private(set) var emitted: Watermark = .min
    public private(set) var isIdle = false

    public init(splits: Int, maxOutOfOrdernessMs: Int64, idleTimeoutMs: Int64? = nil, now: Int64 = 0) {
        bound = maxOutOfOrdernessMs
        self.idleTimeoutMs = idleTimeoutMs
        for _ in 0..<splits { addSplit(now: now) }
    }

    public mutating func addSplit(now: Int64) {
        maxSeen.append(.min)
        finished.append(false)
        lastActive.append(now)
    }

    public mutating func observe(split: Int, maxEventTime t: EventTime, now: Int64) {
        if t > maxSeen[split] { maxSeen[split] = t }
        lastActive[split] = now
        isIdle = false
    }

    public mutating func finish(split: Int) { finished[split] = true }

    /// What to tell downstream now: a higher watermark, that the subtask went idle, or nothing.
    public mutating func advance(now: Int64) -> Update? {
        var m = Watermark.max
        var live = 0
        var open = 0
        for i in maxSeen.indices where !finished[i] {
            open += 1
            if let t = idleTimeoutMs, now - lastActive[i] >= t { continue }
            live += 1
            m = Swift.min(m, maxSeen[i] == .min ? .min : Watermark(milliseconds: maxSeen[i].milliseconds &- bound &- 1))
        }
        if live == 0 {
            if open == 0 && !maxSeen.isEmpty { return nil }  // all finished: the task sends +inf itself
            // Every open split is idle, or there are none: report idle once.
            if idleTimeoutMs != nil && !isIdle {
                isIdle = true
                return .idle
            }
            return nil
        }
        guard m > emitted else { return nil }
        emitted = m
        isIdle = false
        return .watermark(m)
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

/// Milliseconds on a monotonic clock, for idleness (never used for event time).
enum MonotonicMillis {
    static let origin = ContinuousClock.now
    static var now: Int64 {
        let d = origin.duration(to: .now)
        return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}
