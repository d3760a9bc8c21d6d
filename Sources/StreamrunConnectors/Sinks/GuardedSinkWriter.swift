import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Wraps a sink writer with the sink's retries and circuit breaker (``SinkHealth``): a write, the
/// flush at a checkpoint or at the end that fails transiently is retried in place with backoff;
/// without a breaker, `maxRetries` retries and then the job fails (and restarts by its strategy).
/// With a breaker, failures count toward opening it and a call is retried until it succeeds or the
/// breaker opens; while it is open each batch goes to the `fallback` sink, or the writer waits for
/// the next probe, so its input backs up and the job slows down — records are never dropped.
///
/// `fail-writes` faults (`"faults"`, `--allow-faults`) fail calls here, before the writer is reached.
final class GuardedSinkWriter: StreamOperator {
    let inner: any StreamOperator
    let sink: NodeID
    let health: SinkHealth
    /// `fail-writes` faults on the sink.
    let faults: [FaultWindow]

    init(_ inner: any StreamOperator, sink: NodeID, health: SinkHealth, faults: [FaultWindow]) {
        self.inner = inner
        self.sink = sink
        self.health = health
        self.faults = faults
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        try await guarded("write", batch: batch, context: context) { try await self.inner.process(batch, context: context) }
    }

    func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws {
        try await inner.processWatermark(watermark, context: context)
    }

    func finish(context: OperatorContext) async throws {
        try await guarded("final flush", batch: nil, context: context) { try await self.inner.finish(context: context) }
    }

    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        var state: SnapshotPayload?
        try await guarded("flush for checkpoint \(id)", batch: nil, context: context) {
            state = try await self.inner.snapshotState(checkpoint: id, context: context)
        }
        return state
    }

    /// Runs `call` until it succeeds, the batch goes to the fallback, or the failure is final.
    private func guarded(_ what: String, batch: RecordBatch?, context: OperatorContext,
                         _ call: () async throws -> Void) async throws {
        var resume = false
        var retries = 0
        while true {
            var probe = false
            switch health.acquire(sink) {
            case .refused(let waitMs):
                if let batch, !resume, let fallback = context.fallback {
                    try await fallback.emit(batch)
                    health.handedToFallback(sink, records: batch.count)
                    return
                }
                // Backpressure: nothing is taken from the input until the breaker lets a probe through.
                try await Task.sleep(for: .milliseconds(max(1, min(waitMs, 1000))))
                continue
            case .probe:
                probe = true
            case .call:
                break
            }
            var reached = false
            do {
                for f in faults where f.firesNow() { throw f.error("on a \(what)") }
                reached = true
                if resume, let writer = inner as? any RetryableSinkWriter {
                    try await writer.resume(context: context)
                } else {
                    try await call()
                }
                health.succeeded(sink, probe: probe)
                return
            } catch let error as StreamrunError {
                health.failed(sink, probe: probe, error: error)
                guard error.retry == .transient else { throw error }
                // An injected fault failed the call before the writer saw it: nothing was taken.
                switch reached ? (inner as? any RetryableSinkWriter)?.retryAction ?? .again : .again {
                case .impossible: throw error
                case .resume: resume = true
                case .again: break
                }
                retries += 1
                let spec = health.retrySpec(sink)
                if !health.hasBreaker(sink) && retries > spec.maxRetries {
                    if spec.maxRetries == 0 { throw error }
                    throw StreamrunError(error.code, "sink \"\(sink)\": \(error.message) (after \(spec.maxRetries) retr\(spec.maxRetries == 1 ? "y" : "ies"))",
                                         retry: error.retry, location: error.location, underlying: error.underlying)
                }
                // An open breaker decides what happens next (fallback, or wait for a probe).
                if health.state(sink) == .open { continue }
                let delay = spec.delayMs(retry: min(retries, 64), random: Double.random(in: 0..<1))
                health.retrying(sink, subtask: context.subtask, what: what, retry: retries, limit: health.hasBreaker(sink) ? nil : spec.maxRetries, delayMs: delay, error: error)
                try await Task.sleep(for: .milliseconds(delay))
            } catch {
                // Cancelled (the job stops or restarts): a probe must not keep its place in the
                // breaker, which outlives this attempt.
                health.abandoned(sink, probe: probe)
                throw error
            }
        }
    }
}
