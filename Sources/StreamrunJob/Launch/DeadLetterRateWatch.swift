/// Watches the share of each node's records that go to its dead-letter queue over the last minute,
/// for the `dead_letter_rate` alert: it starts when the share passes `threshold` (with at least
/// `minimumRecords` read in the window, so a handful of records cannot page anybody) and clears when
/// it falls back to it or below. A pure value: the caller samples the counters and passes the time.
struct DeadLetterRateWatch {
    enum Change: Equatable {
        case started(rate: Double, deadLettered: Int, read: Int)
        case cleared(rate: Double)
    }

    let threshold: Double
    var windowMs: Int64 = 60_000
    var minimumRecords = 100
    private var samples: [String: [(atMs: Int64, read: Int, dead: Int)]] = [:]
    private(set) var active: Set<String> = []

    init(threshold: Double) { self.threshold = threshold }

    /// A sample of node `node`'s totals (records read or received, and dead-lettered).
    mutating func observe(node: String, read: Int, deadLettered: Int, nowMs: Int64) -> Change? {
        var s = samples[node, default: []]
        s.append((nowMs, read, deadLettered))
        while s.count > 1, nowMs - s[1].atMs >= windowMs { s.removeFirst() }
        samples[node] = s
        let first = s[0]
        let reads = read - first.read, deads = deadLettered - first.dead
        guard reads >= 0, deads >= 0 else {
            samples[node] = [(nowMs, read, deadLettered)]  // counters went back: a restart
            return nil
        }
        let rate = reads == 0 ? 0 : Double(deads) / Double(reads)
        if !active.contains(node), reads >= minimumRecords, rate > threshold {
            active.insert(node)
            return .started(rate: rate, deadLettered: deads, read: reads)
        }
        if active.contains(node), rate <= threshold {
            active.remove(node)
            return .cleared(rate: rate)
        }
        return nil
    }
}
