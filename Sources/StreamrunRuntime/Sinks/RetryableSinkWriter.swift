import StreamrunCore

/// What a sink writer whose call failed transiently needs for a retry in place.
public enum SinkRetry: Sendable, Equatable {
    /// Nothing of the call took effect: call again (or hand the batch to the fallback sink).
    case again
    /// The writer took the batch and part of its I/O is undone: ``RetryableSinkWriter/resume(context:)``
    /// finishes it. The batch must not be handed over again, nor to the fallback.
    case resume
    /// A retry cannot be safe (an fsync failed: the kernel may have dropped the pages): the job
    /// restarts from its last checkpoint.
    case impossible
}

/// A sink writer that says how a failed call can be retried in place. Writers that do not adopt it
/// must fail without effect (``SinkRetry/again``): a batch is written whole or not at all.
public protocol RetryableSinkWriter: StreamOperator {
    /// After a call threw a transient error.
    var retryAction: SinkRetry { get }
    /// Finishes the I/O the failed ``StreamOperator/process(_:context:)`` left undone.
    func resume(context: OperatorContext) async throws
}
