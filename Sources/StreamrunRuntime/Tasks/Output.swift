import StreamrunCore

/// Where one output port of an operator goes: operators chained in the same task, and edges to other tasks.
///
/// Emitting to a chained operator is a direct call; emitting to an edge may suspend (backpressure).
public final class Output {
    struct Chained {
        let op: any StreamOperator
        let context: OperatorContext
        let metrics: NodeMetrics
    }

    var chained: [Chained] = []
    var edges: [EdgeWriter] = []
    let metrics: NodeMetrics?
    /// This subtask's watermark gauge in `metrics`.
    private let watermarkGauge: WatermarkGauge?
    private var lastWatermark: Watermark = .min
    private var finished = false

    /// Set when the job is cancelled (``JobRunner/cancel()``): emitting then throws, so a task that
    /// produces output without reading a channel (a window firing, a chain of operators) stops too.
    let aborted: StopFlag?

    init(metrics: NodeMetrics?, subtask: Int = 0, aborted: StopFlag? = nil) {
        self.metrics = metrics
        self.watermarkGauge = metrics?.watermark.subtask(subtask)
        self.aborted = aborted
    }

    /// Sends a batch to every consumer. Empty batches are not sent.
    ///
    /// - Important: Throws `CancellationError` once the job is cancelled.
    public func emit(_ batch: RecordBatch) async throws {
        guard batch.count > 0 else { return }
        if aborted?.isRequested == true { throw CancellationError() }
        metrics?.recordsOut.add(batch.count)
        for c in chained {
            c.metrics.recordsIn.add(batch.count)
            try await c.op.process(batch, context: c.context)
        }
        for e in edges { try await e.send(batch) }
    }

    /// Sends a watermark downstream, if it advances this output's watermark.
    public func emitWatermark(_ w: Watermark) async throws {
        guard w > lastWatermark else { return }
        lastWatermark = w
        watermarkGauge?.store(w)
        for c in chained { try await c.op.processWatermark(w, context: c.context) }
        for e in edges { try await e.sendWatermark(w) }
    }

    /// Passes checkpoint barrier `id` on: each chained operator snapshots (reported through `ack`)
    /// and forwards it; every edge sends it to all downstream subtasks.
    func emitBarrier(_ id: CheckpointID, ack: (SubtaskID, SnapshotPayload?) -> Void) async throws {
        for c in chained {
            let state = try await c.op.snapshotState(checkpoint: id, context: c.context)
            ack(c.context.subtaskID, state)
            for o in c.context.outputs { try await o.emitBarrier(id, ack: ack) }
        }
        for e in edges { try await e.sendBarrier(id) }
    }

    /// The final state of every chained operator, after the job's input ended (see `CheckpointTracker`).
    func finalSnapshots(_ report: (SubtaskID, SnapshotPayload?) -> Void) async throws {
        for c in chained {
            report(c.context.subtaskID, try await c.op.snapshotState(checkpoint: CheckpointBarrier.final, context: c.context))
            for o in c.context.outputs { try await o.finalSnapshots(report) }
        }
    }

    /// Tells every consumer that this output is idle (see ``StreamElement/idle``).
    func emitIdle() async throws {
        for c in chained {
            for o in c.context.outputs { try await o.emitIdle() }
        }
        for e in edges { try await e.sendIdle() }
    }

    /// Stops after a checkpoint: passes ``StreamElement/suspend`` to every chained output and edge
    /// without finishing any operator.
    func suspend() async throws {
        guard !finished else { return }
        finished = true
        for c in chained {
            for o in c.context.outputs { try await o.suspend() }
        }
        for e in edges { try await e.sendSuspend() }
    }

    /// Finishes every chained operator (depth first) and sends end-of-input on every edge.
    func finish() async throws {
        guard !finished else { return }
        finished = true
        for c in chained {
            try await c.op.finish(context: c.context)
            for o in c.context.outputs { try await o.finish() }
        }
        for e in edges { try await e.sendEnd() }
    }
}
