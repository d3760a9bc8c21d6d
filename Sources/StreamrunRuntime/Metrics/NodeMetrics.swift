import StreamrunCore
import Synchronization

/// A counter that any task may bump without a lock.
public final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    @inlinable public func add(_ n: Int) { _add(n) }
    @usableFromInline func _add(_ n: Int) { value.wrappingAdd(n, ordering: .relaxed) }
    public var load: Int { value.load(ordering: .relaxed) }
}

/// The last watermark a node emitted, readable from any thread.
public final class WatermarkGauge: Sendable {
    private let value = Atomic<Int64>(Watermark.min.milliseconds)
    public init() {}
    public func store(_ w: Watermark) { value.store(w.milliseconds, ordering: .relaxed) }
    /// ``Watermark/min`` before the first store.
    public var load: Watermark { Watermark(milliseconds: value.load(ordering: .relaxed)) }
}

/// The last watermark each subtask of a node emitted, one gauge per subtask (each subtask writes
/// only its own). The node's watermark is the minimum over the subtasks that have emitted one: a
/// subtask that finished (+∞) never hides one that is behind.
public final class SubtaskWatermarks: Sendable {
    private let gauges: [WatermarkGauge]

    public init(subtasks: Int) { gauges = (0..<max(1, subtasks)).map { _ in WatermarkGauge() } }

    /// The gauge subtask `i` stores into.
    public func subtask(_ i: Int) -> WatermarkGauge { gauges[i] }

    /// The minimum over the subtasks that emitted a watermark; ``Watermark/min`` before any did.
    public var load: Watermark {
        var low = Watermark.max, any = false
        for g in gauges {
            let w = g.load
            if w != .min {
                any = true
                low = min(low, w)
            }
        }
        return any ? low : .min
    }
}

/// Time one subtask spent blocked on full downstream queues, including a wait still in progress.
///
/// Only the subtask's own task writes it (its sends are sequential); any thread may read it.
public final class BlockedTime: Sendable {
    /// Nanoseconds of finished waits.
    private let finished = Atomic<Int>(0)
    /// Start of the wait in progress, in nanoseconds since ``origin`` (+1, so 0 means "not waiting").
    private let since = Atomic<Int>(0)
    private static let origin = ContinuousClock.now

    public init() {}

    private static func now() -> Int {
        let d = origin.duration(to: .now)
        return Int(d.components.seconds) * 1_000_000_000 + Int(d.components.attoseconds / 1_000_000_000) + 1
    }

    /// A send starts waiting for queue space.
    public func begin() { since.store(Self.now(), ordering: .relaxed) }

    /// The wait started by ``begin()`` is over: it moves from "in progress" to "finished".
    public func end() {
        let start = since.exchange(0, ordering: .relaxed)
        if start != 0 { finished.wrappingAdd(max(0, Self.now() - start), ordering: .releasing) }
    }

    /// Finished waits plus the one in progress, in nanoseconds. Read while a wait ends, it may miss
    /// that wait for a moment, but never counts it twice (finished is read first: a reader that sees
    /// the wait added there also sees that it is no longer in progress).
    public var load: Int {
        let total = finished.load(ordering: .acquiring)
        let start = since.load(ordering: .relaxed)
        return start == 0 ? total : total + max(0, Self.now() - start)
    }
}

/// A node's backpressure: the time its subtasks waited for space in full downstream queues, one
/// ``BlockedTime`` per subtask, so a total stall shows as it happens, not only once it ends.
public final class BackpressureTime: Sendable {
    private let subtasks: [BlockedTime]

    public init(subtasks: Int) { self.subtasks = (0..<max(1, subtasks)).map { _ in BlockedTime() } }

    /// The clock subtask `i`'s edge writers run.
    public func subtask(_ i: Int) -> BlockedTime { subtasks[i] }

    /// Nanoseconds, summed over the subtasks, waits in progress included.
    public var load: Int { subtasks.reduce(0) { $0 + $1.load } }
}

/// A node's bad records by rule (`type`, `min`, …): how many were dead-lettered and how many skipped.
/// Bad records are the exception, so a lock per record is fine.
public final class BadRecordCounts: Sendable {
    public struct Count: Sendable, Hashable {
        public var deadLettered = 0
        public var skipped = 0
        public var total: Int { deadLettered + skipped }
    }

    private let counts = Mutex<[String: Count]>([:])

    public init() {}

    public func add(rule: String, deadLettered: Int = 0, skipped: Int = 0) {
        counts.withLock {
            $0[rule, default: Count()].deadLettered += deadLettered
            $0[rule, default: Count()].skipped += skipped
        }
    }

    /// Every rule seen, sorted by name.
    public var load: [(rule: String, count: Count)] {
        counts.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}

/// Per-node counters, summed over the node's subtasks.
public final class NodeMetrics: Sendable {
    public let id: NodeID
    public let kind: String
    public let recordsIn = Counter()
    public let recordsOut = Counter()
    /// Records a window dropped to its late output or counted as late.
    public let lateRecords = Counter()
    /// Records a dedupe dropped as duplicates of a key seen within its horizon.
    public let duplicates = Counter()
    /// Bad records (`onError`) sent to the dead-letter sink, and skipped; per rule in ``badRecords``.
    public let deadLettered = Counter()
    public let skipped = Counter()
    public let badRecords = BadRecordCounts()
    /// The node's watermark: the minimum over its subtasks' (see ``SubtaskWatermarks``).
    public let watermark: SubtaskWatermarks
    /// Nanoseconds this node's subtasks waited for space in a full downstream queue (backpressure),
    /// a wait still in progress included.
    public let backpressureNanos: BackpressureTime
    /// A source's failed reads that were tried again (in place, or in the background while degraded).
    public let readRetries = Counter()
    /// A source's subtasks that are degraded right now (failed past their retries, optional): a
    /// gauge, up when one degrades and down when it rejoins.
    public let degradedSubtasks = Counter()
    /// A source's subtasks that read with their fallback's settings (switched, or restored so).
    public let fallbackSubtasks = Counter()

    /// Records the node took in. A source's are the records it read: those it emitted, dead-lettered
    /// or skipped (nothing is unaccounted).
    public var recordsRead: Int {
        kind.hasPrefix("source") ? recordsOut.load + deadLettered.load + skipped.load : recordsIn.load
    }

    public init(id: NodeID, kind: String, parallelism: Int = 1) {
        self.id = id
        self.kind = kind
        watermark = SubtaskWatermarks(subtasks: parallelism)
        backpressureNanos = BackpressureTime(subtasks: parallelism)
    }
}

/// Metrics of every node of a running job.
public final class JobMetrics: Sendable {
    public let nodes: [NodeMetrics]

    public init(nodes: [NodeMetrics]) { self.nodes = nodes }

    public subscript(id: NodeID) -> NodeMetrics? { nodes.first { $0.id == id } }
}
