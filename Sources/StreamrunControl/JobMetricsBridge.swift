import Prometheus
import StreamrunCore
import StreamrunJob
import StreamrunRuntime
import Synchronization

/// The job's metrics in Prometheus text format, for `GET /metrics`.
///
/// Nothing here touches the record path: operators keep counting in their lock-free ``NodeMetrics``
/// atomics, and each scrape copies the totals into counters and gauges of this bridge's own
/// ``PrometheusCollectorRegistry`` (a job's registry, not the process-wide one, so several jobs may
/// share a process). Every metric has HELP text (``help``) and every series the label `job_name`
/// (Prometheus sets `job` itself, and would rename ours to `exported_job`). Counters only grow: after
/// a restart the new attempt's counts are added to the earlier attempts' (the last values of the old
/// attempt are read before switching). Checkpoint durations and sizes are taken from
/// ``CheckpointHistory`` entries not seen by an earlier scrape.
public final class JobMetricsBridge: Sendable {
    /// Every metric name, as the scrape shows it.
    public enum Name {
        public static let recordsIn = "streamrun_records_in_total"
        public static let recordsOut = "streamrun_records_out_total"
        public static let lateRecords = "streamrun_late_records_total"
        public static let duplicates = "streamrun_duplicate_records_total"
        public static let deadLettered = "streamrun_records_dead_lettered_total"
        public static let skipped = "streamrun_records_skipped_total"
        public static let backpressure = "streamrun_backpressure_seconds_total"
        public static let watermark = "streamrun_watermark_timestamp_seconds"
        public static let checkpoints = "streamrun_checkpoints_completed_total"
        public static let checkpointFailures = "streamrun_checkpoints_failed_total"
        public static let checkpointDuration = "streamrun_checkpoint_duration_seconds"
        public static let checkpointSize = "streamrun_last_checkpoint_size_bytes"
        public static let restarts = "streamrun_restarts_total"
        public static let uptime = "streamrun_uptime_seconds"
        public static let circuitState = "streamrun_sink_circuit_state"
        public static let sinkRetries = "streamrun_sink_retries_total"
        public static let sinkFailures = "streamrun_sink_failures_total"
        public static let fallbackRecords = "streamrun_sink_fallback_records_total"
        public static let sourceDegraded = "streamrun_source_degraded"
        public static let sourceReadRetries = "streamrun_source_read_retries_total"
        public static let sourceOnFallback = "streamrun_source_on_fallback"
    }

    /// The label that names the job on every series.
    public static let jobLabel = "job_name"

    /// The HELP text of each metric.
    public static let help: [String: String] = [
        Name.recordsIn: "Records into the operator; for a source, the records it read (emitted, dead-lettered or skipped).",
        Name.deadLettered: "Bad records sent to the dead-letter sink, by node and broken rule.",
        Name.skipped: "Bad records skipped (onError \"skip\"), by node and broken rule.",
        Name.recordsOut: "Records out of the operator (0 for sinks).",
        Name.lateRecords: "Records a window received after the watermark had passed their window (dropped or sent to its late output).",
        Name.duplicates: "Records a dedupe dropped as duplicates of a key seen within its horizon.",
        Name.backpressure: "Time the operator's subtasks waited on full downstream queues, a wait in progress included.",
        Name.watermark: "The operator's watermark (the minimum over its subtasks), as seconds since the epoch.",
        Name.checkpoints: "Completed checkpoints and savepoints.",
        Name.checkpointFailures: "Failed checkpoints.",
        Name.checkpointDuration: "Time from a checkpoint's trigger to its durable manifest and commit.",
        Name.checkpointSize: "Bytes of state files and manifest of the last completed checkpoint.",
        Name.restarts: "Restarts of the job after failures.",
        Name.uptime: "Time since the job started.",
        Name.circuitState: "A sink's circuit breaker: 0 closed, 1 open, 2 half-open (only sinks with \"circuitBreaker\").",
        Name.sinkRetries: "Writes and commits of a sink retried in place after a transient failure.",
        Name.sinkFailures: "Failed writes and commits of a sink (each try counts).",
        Name.fallbackRecords: "Records a sink handed to its fallback sink while its circuit breaker was open.",
        Name.sourceDegraded: "1 while a subtask of the source is degraded (an optional source failed past its retries), else 0.",
        Name.sourceReadRetries: "Failed reads of the source that were tried again (in place, or in the background while degraded).",
        Name.sourceOnFallback: "1 while a subtask of the source reads its fallback, else 0.",
    ]

    static let durationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]

    let launcher: JobLauncher
    let registry = PrometheusCollectorRegistry()
    private let state: Mutex<BridgeState>

    public init(launcher: JobLauncher) {
        self.launcher = launcher
        var s = BridgeState(registry: registry, job: launcher.plan.spec.name)
        // Series that exist from the first scrape, before anything happened.
        s.add(0, to: Name.restarts, s.labels(), key: "restarts")
        s.add(0, to: Name.checkpointFailures, s.labels(), key: "failures")
        if launcher.plan.spec.checkpoints != nil {
            _ = s.counter(Name.checkpoints, s.labels(("kind", "checkpoint")))
            _ = s.histogram(Name.checkpointDuration, s.labels(("kind", "checkpoint")))
        }
        state = Mutex(s)
    }

    /// Refreshes every metric from the job and returns the Prometheus text exposition.
    public func scrape() -> [UInt8] {
        let status = launcher.status()
        let metrics = launcher.metrics
        let history = launcher.history.entries
        let failures = launcher.history.failures
        state.withLock { s in
            s.refreshOperators(metrics)
            s.refreshCheckpoints(history, failures: failures)
            s.gauge(Name.uptime, s.labels()).set(status.uptimeSeconds)
            s.add(Int64(status.restarts), to: Name.restarts, s.labels(), key: "restarts")
            for sink in status.sinks {
                let labels = s.labels(("sink", sink.id.name))
                if let c = sink.circuit { s.gauge(Name.circuitState, labels).set(Double(c.gauge)) }
                s.add(Int64(sink.retries), to: Name.sinkRetries, labels)
                s.add(Int64(sink.failures), to: Name.sinkFailures, labels)
                if sink.fallback != nil { s.add(Int64(sink.fallbackRecords), to: Name.fallbackRecords, labels) }
            }
        }
        return registry.emitToBuffer()
    }
}

/// What the bridge remembers between scrapes: its metric handles and the last totals it copied.
struct BridgeState {
    typealias Name = JobMetricsBridge.Name
    let registry: PrometheusCollectorRegistry
    let job: String
    var counters: [String: Prometheus.Counter] = [:]
    var gauges: [String: Prometheus.Gauge] = [:]
    var histograms: [String: DurationHistogram] = [:]
    /// The last total copied into each counter (by metric name and labels).
    var copied: [String: Int64] = [:]
    var copiedSeconds: [String: Double] = [:]
    /// The attempt whose totals were copied last; its final totals are copied once a restart replaces it.
    var attempt: JobMetrics?
    /// Ids of completed history entries already counted.
    var counted: Set<CheckpointID> = []

    init(registry: PrometheusCollectorRegistry, job: String) {
        self.registry = registry
        self.job = job
    }

    /// `job_name` first, then `extra`.
    func labels(_ extra: (String, String)...) -> [(String, String)] { [(JobMetricsBridge.jobLabel, job)] + extra }

    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: JobMetricsBridge.help[name] ?? "")
    }

    mutating func refreshOperators(_ metrics: JobMetrics?) {
        if let old = attempt, let metrics, old !== metrics {
            copyOperators(old)
            let totals = [Name.recordsIn, Name.recordsOut, Name.lateRecords, Name.duplicates, Name.deadLettered, Name.skipped,
                          Name.sourceReadRetries]
            for k in copied.keys where totals.contains(where: k.hasPrefix) {
                copied[k] = 0
            }
            for k in copiedSeconds.keys { copiedSeconds[k] = 0 }
        }
        if let metrics {
            attempt = metrics
            copyOperators(metrics)
        }
    }

    mutating func copyOperators(_ metrics: JobMetrics) {
        for node in metrics.nodes {
            let labels = labels(("operator", node.id.name))
            add(Int64(node.recordsRead), to: Name.recordsIn, labels)
            for (rule, count) in node.badRecords.load {
                let byRule = self.labels(("node", node.id.name), ("rule", rule))
                if count.deadLettered > 0 { add(Int64(count.deadLettered), to: Name.deadLettered, byRule) }
                if count.skipped > 0 { add(Int64(count.skipped), to: Name.skipped, byRule) }
            }
            add(Int64(node.recordsOut.load), to: Name.recordsOut, labels)
            if node.kind == "window" { add(Int64(node.lateRecords.load), to: Name.lateRecords, labels) }
            if node.kind == "dedupe" { add(Int64(node.duplicates.load), to: Name.duplicates, labels) }
            addSeconds(Double(node.backpressureNanos.load) / 1e9, to: Name.backpressure, labels)
            let wm = node.watermark.load
            if wm != Watermark.min { gauge(Name.watermark, labels).set(Double(wm.milliseconds) / 1000) }
            if node.kind.hasPrefix("source") {
                let byNode = self.labels(("node", node.id.name))
                add(Int64(node.readRetries.load), to: Name.sourceReadRetries, byNode)
                gauge(Name.sourceDegraded, byNode).set(node.degradedSubtasks.load > 0 ? 1.0 : 0.0)
                gauge(Name.sourceOnFallback, byNode).set(node.fallbackSubtasks.load > 0 ? 1.0 : 0.0)
            }
        }
    }

    mutating func refreshCheckpoints(_ entries: [CheckpointHistory.Entry], failures: Int) {
        for e in entries where e.status == .completed && !counted.contains(e.id) {
            counted.insert(e.id)
            let labels = labels(("kind", e.kind))
            counter(Name.checkpoints, labels).increment(by: Int64(1))
            histogram(Name.checkpointDuration, labels).record(.milliseconds(e.durationMs ?? 0))
        }
        // Forget ids that left the history, so the set stays as small as the history.
        counted.formIntersection(entries.map(\.id))
        if let last = entries.last(where: { $0.status == .completed }), let size = last.sizeBytes {
            gauge(Name.checkpointSize, labels()).set(Double(size))
        }
        add(Int64(failures), to: Name.checkpointFailures, labels(), key: "failures")
    }

    /// Adds what `total` grew by since the last copy (a total that went down restarted from zero).
    mutating func add(_ total: Int64, to name: String, _ labels: [(String, String)], key: String? = nil) {
        let k = key ?? Self.key(name, labels)
        let c = counter(name, labels)
        let last = copied[k] ?? 0
        if total > last { c.increment(by: total - last) }
        copied[k] = total
    }

    mutating func addSeconds(_ total: Double, to name: String, _ labels: [(String, String)]) {
        let k = Self.key(name, labels)
        let c = counter(name, labels)
        let last = copiedSeconds[k] ?? 0
        if total > last { c.increment(by: total - last) }
        copiedSeconds[k] = total
    }

    mutating func counter(_ name: String, _ labels: [(String, String)]) -> Prometheus.Counter {
        let k = Self.key(name, labels)
        if let c = counters[k] { return c }
        let c = registry.makeCounter(descriptor: Self.descriptor(name), labels: labels)
        counters[k] = c
        return c
    }

    mutating func gauge(_ name: String, _ labels: [(String, String)]) -> Prometheus.Gauge {
        let k = Self.key(name, labels)
        if let g = gauges[k] { return g }
        let g = registry.makeGauge(descriptor: Self.descriptor(name), labels: labels)
        gauges[k] = g
        return g
    }

    mutating func histogram(_ name: String, _ labels: [(String, String)]) -> DurationHistogram {
        let k = Self.key(name, labels)
        if let h = histograms[k] { return h }
        let h = registry.makeDurationHistogram(descriptor: Self.descriptor(name), labels: labels, buckets: JobMetricsBridge.durationBuckets)
        histograms[k] = h
        return h
    }
}
