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
    public let watermark = WatermarkGauge()
    /// Nanoseconds this node's subtasks waited for space in a full downstream queue (backpressure).
    public let backpressureNanos = Counter()

    public init(id: NodeID, kind: String) {
        self.id = id
        self.kind = kind
    }
}

/// Metrics of every node of a running job.
public final class JobMetrics: Sendable {
    public let nodes: [NodeMetrics]

    public init(nodes: [NodeMetrics]) { self.nodes = nodes }

    public subscript(id: NodeID) -> NodeMetrics? { nodes.first { $0.id == id } }
}
