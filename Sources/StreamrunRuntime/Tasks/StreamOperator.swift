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
    func processWatermark(_ watermark: Int64, context: OperatorContext) async throws
    func finish(context: OperatorContext) async throws
}

extension StreamOperator {
    public func processWatermark(_ watermark: Int64, context: OperatorContext) async throws {
        try await context.main.emitWatermark(watermark)
        try await context.late?.emitWatermark(watermark)
    }

    public func finish(context: OperatorContext) async throws {}
}

/// What an operator instance can reach: its outputs and who it is.
public final class OperatorContext {
    public let nodeID: String
    public let subtask: Int
    public let parallelism: Int
    /// The main output.
    public let main: Output
    /// The `.late` side output of a window, when the node has one.
    public let late: Output?

    init(nodeID: String, subtask: Int, parallelism: Int, main: Output, late: Output?) {
        self.nodeID = nodeID
        self.subtask = subtask
        self.parallelism = parallelism
        self.main = main
        self.late = late
    }
}

/// A source subtask's reader: produces batches (and watermarks) until its input is done.
public protocol SourceReader: AnyObject {
    /// The next output, or nil at the end of bounded input (or once `stop` is requested).
    ///
    /// - Important: May suspend (rate limiting, following a growing file). Must return promptly
    ///   once the task is cancelled or a stop is requested.
    func next() async throws -> SourceOutput?
}

public enum SourceOutput {
    case records(RecordBatch)
    case watermark(Int64)
}
