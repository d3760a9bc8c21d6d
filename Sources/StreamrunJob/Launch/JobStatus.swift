import StreamrunCore
import StreamrunRuntime

/// A running job as `GET /job` and `streamrun status` show it.
public struct JobStatus: Sendable, Codable {
    public enum State: String, Sendable, Codable { case starting, running, restarting, stopping, stopped, finished, failed }

    public struct OperatorStatus: Sendable, Codable {
        public var id: NodeID
        public var type: String
        public var parallelism: Int
        /// Records read (a source) or received (an operator, a sink).
        public var recordsIn: Int
        public var recordsOut: Int
        /// Bad records sent to the dead-letter sink, and skipped (`onError`); by rule in `badRecords`.
        public var deadLettered: Int = 0
        public var skipped: Int = 0
        public var badRecords: [BadRecords] = []
        /// The last watermark the operator emitted (epoch ms); nil before the first.
        public var watermark: Watermark?
        /// Total time its subtasks waited on full downstream queues, in milliseconds.
        public var backpressureMs: Int64
        /// Sources only: failed reads tried again, whether a subtask is degraded, and whether one
        /// reads its fallback.
        public var readRetries: Int?
        public var degraded: Bool?
        public var onFallback: Bool?
    }

    /// Bad records of one rule at one operator.
    public struct BadRecords: Sendable, Codable, Hashable {
        public var rule: String
        public var deadLettered: Int = 0
        public var skipped: Int = 0
    }

    public var job: String
    public var state: State
    public var uptimeSeconds: Double
    /// Restarts after failures in this process.
    public var restarts: Int
    public var operators: [OperatorStatus]
    public var lastCheckpoint: CheckpointHistory.Entry?
    /// Where the job's checkpoints go, if it has any.
    public var checkpointsDir: String?
    /// Each sink's circuit breaker, retries and fallback count.
    public var sinks: [SinkHealth.Status] = []
    /// The sources that run degraded now (optional sources failed past their retries), by id.
    public var degraded: [String] = []

    /// The state as `streamrun status` shows it: `running (degraded: bids)` while a source is degraded.
    public var stateText: String {
        degraded.isEmpty ? state.rawValue : "\(state.rawValue) (degraded: \(degraded.joined(separator: ", ")))"
    }
}

extension JobMetrics {
    /// The per-operator part of a ``JobStatus``, in plan order.
    func operatorStatus(parallelism: [NodeID: Int]) -> [JobStatus.OperatorStatus] {
        nodes.map { m in
            let wm = m.watermark.load
            var status = JobStatus.OperatorStatus(id: m.id, type: m.kind, parallelism: parallelism[m.id] ?? 1,
                                            recordsIn: m.recordsRead, recordsOut: m.recordsOut.load,
                                            deadLettered: m.deadLettered.load, skipped: m.skipped.load,
                                            badRecords: m.badRecords.load.map {
                                                JobStatus.BadRecords(rule: $0.rule, deadLettered: $0.count.deadLettered, skipped: $0.count.skipped)
                                            },
                                            watermark: wm == Watermark.min ? nil : wm,
                                            backpressureMs: Int64(m.backpressureNanos.load / 1_000_000))
            if m.kind.hasPrefix("source") {
                status.readRetries = m.readRetries.load
                status.degraded = m.degradedSubtasks.load > 0
                status.onFallback = m.fallbackSubtasks.load > 0
            }
            return status
        }
    }
}
