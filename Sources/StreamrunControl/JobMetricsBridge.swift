import Metrics
import Prometheus
import StreamrunCore
import StreamrunJob
import StreamrunRuntime
import Synchronization

/// The job's metrics in Prometheus text format, for `GET /metrics`.
///
/// Nothing here touches the record path: operators keep counting in their lock-free ``NodeMetrics``
/// atomics, and each scrape copies the totals into swift-metrics counters and gauges backed by this
/// bridge's own ``PrometheusCollectorRegistry`` (a job's registry, not the process-wide one, so several
/// jobs may share a process). Counters only grow: after a restart the new attempt's counts are added to
/// the earlier attempts' (the last values of the old attempt are read before switching). Checkpoint
/// durations and sizes are taken from ``CheckpointHistory`` entries not seen by an earlier scrape.
public final class JobMetricsBridge: Sendable {
    /// Every metric name, as the scrape shows it.
    public enum Name {
        public static let recordsIn = "streamrun_records_in_total"
        public static let recordsOut = "streamrun_records_out_total"
        public static let backpressure = "streamrun_backpressure_seconds_total"
        public static let watermark = "streamrun_watermark_seconds"
        public static let checkpoints = "streamrun_checkpoints_completed_total"
        public static let checkpointFailures = "streamrun_checkpoints_failed_total"
        public static let checkpointDuration = "streamrun_checkpoint_duration_seconds"
        public static let checkpointSize = "streamrun_last_checkpoint_size_bytes"
        public static let restarts = "streamrun_restarts_total"
        public static let uptime = "streamrun_uptime_seconds"
    }

    let launcher: JobLauncher
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private let state = Mutex(BridgeState())

    public init(launcher: JobLauncher) {
        self.launcher = launcher
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Name.checkpointDuration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
        ]
        self.factory = factory
        let job = launcher.plan.spec.name
        let checkpoints = launcher.plan.spec.checkpoints != nil
        state.withLock { s in
            // Series that exist from the first scrape, before anything happened.
            s.add(0, to: Name.restarts, [("job", job)], key: "restarts", factory)
            s.add(0, to: Name.checkpointFailures, [("job", job)], key: "failures", factory)
            if checkpoints {
                _ = s.counter(Name.checkpoints, [("job", job), ("kind", "checkpoint")], factory)
                _ = s.timer(Name.checkpointDuration, [("job", job), ("kind", "checkpoint")], factory)
            }
        }
    }

    /// Refreshes every metric from the job and returns the Prometheus text exposition.
    public func scrape() -> [UInt8] {
        let status = launcher.status()
        let metrics = launcher.metrics
        let history = launcher.history.entries
        let failures = launcher.history.failures
        state.withLock { s in
            s.refreshOperators(metrics, job: status.job, factory: factory)
            s.refreshCheckpoints(history, failures: failures, job: status.job, factory: factory)
            s.gauge(Name.uptime, [("job", status.job)], factory).record(status.uptimeSeconds)
            s.add(Int64(status.restarts), to: Name.restarts, [("job", status.job)], key: "restarts", factory)
        }
        return registry.emitToBuffer()
    }
}

/// What the bridge remembers between scrapes: its swift-metrics handles and the last totals it copied.
struct BridgeState {
    var counters: [String: CoreMetrics.Counter] = [:]
    var floatCounters: [String: FloatingPointCounter] = [:]
    var gauges: [String: CoreMetrics.Gauge] = [:]
    var timers: [String: CoreMetrics.Timer] = [:]
    /// The last total copied into each counter (by metric name and labels).
    var copied: [String: Int64] = [:]
    var copiedSeconds: [String: Double] = [:]
    /// The attempt whose totals were copied last; its final totals are copied once a restart replaces it.
    var attempt: JobMetrics?
    /// Ids of completed history entries already counted.
    var counted: Set<CheckpointID> = []

    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    mutating func refreshOperators(_ metrics: JobMetrics?, job: String, factory: PrometheusMetricsFactory) {
        if let old = attempt, let metrics, old !== metrics {
            copyOperators(old, job: job, factory: factory)
            for k in copied.keys where k.hasPrefix(JobMetricsBridge.Name.recordsIn) || k.hasPrefix(JobMetricsBridge.Name.recordsOut) {
                copied[k] = 0
            }
            for k in copiedSeconds.keys { copiedSeconds[k] = 0 }
        }
        if let metrics {
            attempt = metrics
            copyOperators(metrics, job: job, factory: factory)
        }
    }

    mutating func copyOperators(_ metrics: JobMetrics, job: String, factory: PrometheusMetricsFactory) {
        typealias Name = JobMetricsBridge.Name
        for node in metrics.nodes {
            let labels = [("job", job), ("operator", node.id.name)]
            add(Int64(node.recordsIn.load), to: Name.recordsIn, labels, factory)
            add(Int64(node.recordsOut.load), to: Name.recordsOut, labels, factory)
            addSeconds(Double(node.backpressureNanos.load) / 1e9, to: Name.backpressure, labels, factory)
            let wm = node.watermark.load
            if wm != Watermark.min { gauge(Name.watermark, labels, factory).record(Double(wm.milliseconds) / 1000) }
        }
    }

    mutating func refreshCheckpoints(_ entries: [CheckpointHistory.Entry], failures: Int, job: String,
                                     factory: PrometheusMetricsFactory) {
        typealias Name = JobMetricsBridge.Name
        for e in entries where e.status == .completed && !counted.contains(e.id) {
            counted.insert(e.id)
            let labels = [("job", job), ("kind", e.kind)]
            counter(Name.checkpoints, labels, factory).increment(by: 1)
            timer(Name.checkpointDuration, labels, factory).recordMilliseconds(e.durationMs ?? 0)
        }
        // Forget ids that left the history, so the set stays as small as the history.
        counted.formIntersection(entries.map(\.id))
        if let last = entries.last(where: { $0.status == .completed }), let size = last.sizeBytes {
            gauge(Name.checkpointSize, [("job", job)], factory).record(Double(size))
        }
        add(Int64(failures), to: Name.checkpointFailures, [("job", job)], key: "failures", factory)
    }

    /// Adds what `total` grew by since the last copy (a total that went down restarted from zero).
    mutating func add(_ total: Int64, to name: String, _ labels: [(String, String)], key: String? = nil,
                      _ factory: PrometheusMetricsFactory) {
        let k = key ?? Self.key(name, labels)
        let c = counter(name, labels, factory)
        let last = copied[k] ?? 0
        if total > last { c.increment(by: total - last) }
        copied[k] = total
    }

    mutating func addSeconds(_ total: Double, to name: String, _ labels: [(String, String)], _ factory: PrometheusMetricsFactory) {
        let k = Self.key(name, labels)
        let c = floatCounters[k] ?? FloatingPointCounter(label: name, dimensions: labels, factory: factory)
        floatCounters[k] = c
        let last = copiedSeconds[k] ?? 0
        if total > last { c.increment(by: total - last) }
        copiedSeconds[k] = total
    }

    mutating func counter(_ name: String, _ labels: [(String, String)], _ factory: PrometheusMetricsFactory) -> CoreMetrics.Counter {
        let k = Self.key(name, labels)
        if let c = counters[k] { return c }
        let c = CoreMetrics.Counter(label: name, dimensions: labels, factory: factory)
        counters[k] = c
        return c
    }

    mutating func gauge(_ name: String, _ labels: [(String, String)], _ factory: PrometheusMetricsFactory) -> CoreMetrics.Gauge {
        let k = Self.key(name, labels)
        if let g = gauges[k] { return g }
        let g = CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
        gauges[k] = g
        return g
    }

    mutating func timer(_ name: String, _ labels: [(String, String)], _ factory: PrometheusMetricsFactory) -> CoreMetrics.Timer {
        let k = Self.key(name, labels)
        if let t = timers[k] { return t }
        let t = CoreMetrics.Timer(label: name, dimensions: labels, factory: factory)
        timers[k] = t
        return t
    }
}
