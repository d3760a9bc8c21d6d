import StreamrunCore

/// One subtask's instance of an operator or sink. It lives inside one task and is never shared.
///
/// The task calls ``process(_:context:)`` for each batch, ``processWatermark(_:context:)`` when the
/// combined input watermark advances, and ``finish(context:)`` once every input has ended; after
/// `finish` the task forwards end-of-input downstream itself.
///
/// - Important: Throwing fails the whole job (and, with checkpoints, restarts it).
public protocol StreamOperator: AnyObject {
    func process(_ batch: RecordBatch, context: OperatorContext) async throws
    func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws
    func finish(context: OperatorContext) async throws
    /// Checkpoint `id`: the barrier has arrived on every input. Capture the operator's state now —
    /// cheaply, as copy-on-write values — and return it; the task forwards the barrier afterwards.
    /// Sinks close their open files to *pending* here (two-phase commit). Nil: no state.
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload?
}

extension StreamOperator {
    public func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws {
        for o in context.outputs { try await o.emitWatermark(watermark) }
    }

    public func finish(context: OperatorContext) async throws {}

    public func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? { nil }
}

/// What an operator instance can reach: its outputs and who it is.
public final class OperatorContext {
    public let nodeID: NodeID
    public let subtask: Int
    public let parallelism: Int
    /// The main output.
    public let main: Output
    /// The `.late` side output of a window, when the node has one.
    public let late: Output?
    /// The `.dead` side output (dead letters), when the node sends them.
    public let dead: Output?
    /// The `.fallback` side output of a sink with a fallback sink.
    public let fallback: Output?
    /// Every output: main, then the side outputs the node has.
    let outputs: [Output]
    /// The node's counters (shared by its subtasks), for operators that count what they drop.
    public let metrics: NodeMetrics?
    /// The job's number of key groups, which keyed state is partitioned by.
    public let maxParallelism: Int

    /// Which subtask of which node this is: what its checkpoint acknowledgement names.
    public var subtaskID: SubtaskID { SubtaskID(node: nodeID, subtask: subtask) }

    init(nodeID: NodeID, subtask: Int, parallelism: Int, main: Output, late: Output?, dead: Output? = nil,
         fallback: Output? = nil, metrics: NodeMetrics? = nil, maxParallelism: Int = KeyGroups.defaultMaxParallelism) {
        self.dead = dead
        self.fallback = fallback
        self.outputs = [main] + [late, dead, fallback].compactMap { $0 }
        self.nodeID = nodeID
        self.subtask = subtask
        self.parallelism = parallelism
        self.main = main
        self.late = late
        self.metrics = metrics
        self.maxParallelism = maxParallelism
    }
}

/// A source subtask's reader: produces batches (and watermarks) until its input is done.
public protocol SourceReader: AnyObject {
    /// The next output, or nil at the end of bounded input (or once `stop` is requested).
    ///
    /// - Important: May suspend (rate limiting, following a growing file). Must return promptly
    ///   once the task is cancelled or a stop is requested.
    func next() async throws -> SourceOutput?
    /// Checkpoint `id` is injected after the last output returned: capture split offsets and watermarks.
    func snapshotState(checkpoint id: CheckpointID) -> SnapshotPayload?
}

extension SourceReader {
    public func snapshotState(checkpoint id: CheckpointID) -> SnapshotPayload? { nil }
}

public enum SourceOutput {
    case records(RecordBatch)
    /// Records, and dead letters (``DeadLetter/schema``) of bad records read with them. One output, so
    /// no checkpoint barrier falls between a bad record being consumed and its dead letter being sent.
    case recordsAndDeadLetters(RecordBatch, deadLetters: RecordBatch)
    case watermark(Watermark)
    /// Every split of this reader is idle (or it has none): downstream should not wait for it.
    case idle
    /// Nothing new yet (a followed file did not grow): the task injects a triggered checkpoint's
    /// barrier, then asks again. A reader that waits for data returns this now and then, so
    /// checkpoints complete while it waits.
    case pending
}
