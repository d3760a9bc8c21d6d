import Logging
import StreamrunConnectors
import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime
import Synchronization

/// Runs a validated job to completion: checks inputs and outputs up front, resumes from the newest
/// valid checkpoint when the job has a checkpoint directory, runs the dataflow while a coordinator
/// takes checkpoints, and has the sinks commit — at each completed checkpoint, or (without
/// checkpoints) all together at the end. Without checkpoints a failed run removes everything it
/// wrote; with them, a failure other than a user error restarts from the last checkpoint after a
/// fixed delay (at most `maxRestarts` times).
///
/// Where the job is in its life — and every wait on it (`savepoint`, `stop`, "until started") —
/// goes through one ``JobLifecycle``.
///
/// - Important: ``run(statusLine:)`` may be called once. Every message (resuming, restarting,
///   warnings) goes to `logger` with the job's name as metadata.
public final class JobLauncher: Sendable {
    public struct Options: Sendable {
        /// Ignore existing checkpoints and start from the beginning.
        public var fresh: Bool
        /// Overrides the job's `"restart"` strategy (tests, tools); nil: the job's, or ``RestartSpec/default``.
        public var restart: RestartSpec?
        /// The directory of job.json: default savepoints go to `<jobDirectory>/savepoints/<job name>/`.
        public var jobDirectory: String
        /// Restore from this checkpoint or savepoint directory instead of the newest checkpoint.
        public var fromSavepoint: String?
        /// Drop the state of operators the job no longer has instead of refusing to start.
        public var allowNonRestoredState = false
        /// How long a stop may take (a final checkpoint, or draining) before the job is cancelled
        /// instead: a sink whose output nobody reads must not hold a stop forever.
        public var stopTimeoutMs: Int64 = 30_000
        /// A run that restores no checkpoint replaces the output an earlier run left in its sinks
        /// (at their first commit) instead of refusing to start.
        public var overwrite = false
        /// Run the job's `"faults"` (refused without it).
        public var allowFaults = false

        /// - Parameters maxRestarts, restartDelayMs: when either is given, a fixed-delay strategy
        ///   (3 attempts, 1 s by default) that overrides the job's.
        public init(fresh: Bool = false, maxRestarts: Int? = nil, restartDelayMs: Int64? = nil, jobDirectory: String = ".") {
            self.fresh = fresh
            self.jobDirectory = jobDirectory
            if maxRestarts != nil || restartDelayMs != nil {
                restart = .fixedDelay(attempts: maxRestarts ?? 3, delayMs: restartDelayMs ?? 1000)
            }
        }
    }

    public let plan: JobPlan
    let options: Options
    let logger: Logger
    /// Checkpoints and savepoints taken by this process, newest last.
    public let history = CheckpointHistory()
    /// What happens to the job, for alerts.
    public let events = JobEvents()
    /// Which sources' degradation and fallback the alerts were told of.
    let sourceConditions = SourceConditions()
    public let lifecycle: JobLifecycle
    /// The sinks' breakers and retry counts, across attempts.
    public let sinkHealth: SinkHealth
    /// The metrics of the running (or last) attempt.
    private let currentMetrics = Mutex<JobMetrics?>(nil)
    /// Whether `--fresh` has been applied (a restart resumes from this run's own checkpoints).
    private let freshDone = Atomic<Bool>(false)
    /// The exclusive lock on ``stateDirectory`` while the job runs.
    let lock = Mutex<DirectoryLock?>(nil)
    private let started = ContinuousClock.now

    public init(plan: JobPlan, options: Options = Options(), logger: Logger = Logger(label: "streamrun")) {
        self.plan = plan
        self.options = options
        var logger = logger
        logger[metadataKey: "job"] = "\(plan.spec.name)"
        self.logger = logger
        lifecycle = JobLifecycle(checkpointsEnabled: plan.spec.checkpoints != nil, history: history)
        sinkHealth = SinkHealth(plan: plan)
        sinkHealth.observe { [weak self] in self?.sinkHappened($0) }
    }

    /// Sends a job event about `node` to the alerts, with the last completed checkpoint.
    func emit(_ event: AlertSpec.Event, node: String?, resolves: AlertSpec.Event? = nil, error: StreamrunError? = nil,
              attempt: Int? = nil, _ message: String) {
        var e = JobEvent(event: event, job: plan.spec.name, message: message, error: error)
        e.node = node
        e.resolves = resolves
        e.attempt = attempt
        e.lastCheckpoint = history.lastCompleted?.id
        events.emit(e)
    }

    /// Asks the job to stop (SIGINT / SIGTERM, `POST /stop`). With checkpoints it stops at a final
    /// checkpoint without emitting anything after it, so the next run continues exactly there;
    /// without, the sources stop reading and the job drains and commits what it read.
    public func requestStop() {
        guard lifecycle.requestStop() else { return }
        logger.info(plan.spec.checkpoints == nil
            ? "stopping: the sources stop and what they read is committed (a second signal exits at once)"
            : "stopping at a checkpoint (a second signal exits at once)")
    }

    /// Runs the job until its input ends, it is stopped, or it fails for good.
    ///
    /// - Important: Throws ``StreamrunError/Code/alreadyRunning`` when another process (or launcher)
    ///   runs the job on the same state directory.
    public func run(statusLine: Bool) async throws(StreamrunError) -> RunSummary {
        let ownsLock = !holdsLock
        do {
            try acquireLock()
        } catch {
            lifecycle.attemptEnded(.failed(restart: false))
            throw error
        }
        defer { if ownsLock { releaseLock() } }
        do throws(StreamrunError) {
            if let f = plan.spec.faults.first, !options.allowFaults {
                throw StreamrunError(.usage, "the job injects faults (for tests and drills); run it with --allow-faults, or remove \"faults\"",
                                     location: f.jsonPath)
            }
            try preflight()
            try removeIncompleteAttempts()
        } catch {
            lifecycle.attemptEnded(.failed(restart: false))
            throw error
        }
        let clock = ContinuousClock()
        let start = clock.now
        var strategy = RestartStrategy(options.restart ?? plan.spec.restart ?? .default)
        var random = SystemRandomNumberGenerator()
        while true {
            do {
                let outcome = try await runAttempt(statusLine: statusLine)
                lifecycle.attemptEnded(outcome.stoppedAt == nil ? .finished : .stopped)
                return summary(outcome, elapsed: start.duration(to: clock.now))
            } catch {
                var decision = RestartStrategy.Decision.giveUp(reason: "")
                if plan.spec.checkpoints != nil && error.retry != .user && !lifecycle.stopRequested {
                    let now = Int64(start.duration(to: clock.now) / .milliseconds(1))
                    decision = strategy.onFailure(nowMs: now, random: Double.random(in: 0..<1, using: &random))
                }
                guard case .restart(let delay, let attempt, let limit) = decision else {
                    lifecycle.attemptEnded(.failed(restart: false))
                    var why = ""
                    if case .giveUp(let reason) = decision, !reason.isEmpty {
                        reportGivingUp(error, reason: reason, restarts: strategy.total)
                        why = " (giving up after \(strategy.total) restart\(strategy.total == 1 ? "" : "s"): \(reason))"
                    }
                    var e = JobEvent(event: .jobFailed, job: plan.spec.name, message: error.description + why, error: error)
                    e.attempt = strategy.total
                    e.lastCheckpoint = history.lastCompleted?.id
                    events.emit(e)
                    throw error
                }
                var e = JobEvent(event: .restarting, job: plan.spec.name, message: error.description, error: error)
                e.attempt = attempt
                e.delayMs = delay
                e.lastCheckpoint = history.lastCompleted?.id
                events.emit(e)
                events.restarting(attempt: attempt, cause: error.description)
                lifecycle.attemptEnded(.failed(restart: true))
                logger.warning("""
                    job failed: \(error.description); restarting from the last checkpoint in \
                    \(delay) ms (attempt \(attempt)\(limit.map { " of \($0)" } ?? ""))
                    """, metadata: ["attempt": "\(attempt)", "delay_ms": "\(delay)", "error.code": "\(error.code)",
                                    "error.class": "\(error.retry)", "strategy": "\(strategy.spec.name)"])
                await backoff(.milliseconds(delay))
            }
        }
    }

    /// The final report when restarts run out: cause, class, restarts, the last completed checkpoint
    /// and how to resume.
    private func reportGivingUp(_ error: StreamrunError, reason: String, restarts: Int) {
        let last = history.lastCompleted.map {
            "the last completed checkpoint is \($0.id); once the cause is fixed, run the job again to resume from it"
        } ?? "no checkpoint completed in this run; once the cause is fixed, run the job again to resume from the newest checkpoint, if any"
        logger.error("""
            giving up after \(restarts) restart\(restarts == 1 ? "" : "s"): \(reason); the cause was a \(error.retry) error \
            (\(error.code)); \(last)
            """, metadata: ["restarts": "\(restarts)", "error.code": "\(error.code)", "error.class": "\(error.retry)"])
    }

    /// Waits `delay` before the next attempt, or less if a stop is requested meanwhile (the next
    /// attempt then stops at once, at a checkpoint).
    private func backoff(_ delay: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await self.lifecycle.waitUntilStopRequested() }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Where the job is in its life (a running job asked to stop is `stopping`). Cheap: no metrics.
    public var state: JobStatus.State { lifecycle.phase }

    /// The job right now: for `GET /job` and `streamrun status`.
    public func status() -> JobStatus {
        let parallelism = Dictionary(uniqueKeysWithValues: plan.nodes.map { ($0.id, $0.parallelism) })
        let d = started.duration(to: .now)
        return JobStatus(job: plan.spec.name, state: lifecycle.phase,
                         uptimeSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                         restarts: lifecycle.restarts, operators: metrics?.operatorStatus(parallelism: parallelism) ?? [],
                         lastCheckpoint: history.lastCompleted, checkpointsDir: plan.spec.checkpoints?.dir,
                         sinks: sinkHealth.statuses,
                         degraded: metrics?.nodes.filter { $0.degradedSubtasks.load > 0 }.map(\.id.name) ?? [])
    }

    /// The metrics of the current attempt (nil before the first starts).
    public var metrics: JobMetrics? { currentMetrics.withLock { $0 } }

    func setMetrics(_ m: JobMetrics) { currentMetrics.withLock { $0 = m } }

    /// Applies `--fresh` once: a restart resumes from this run's own checkpoints.
    func takeFresh() -> Bool {
        options.fresh && !freshDone.exchange(true, ordering: .relaxed)
    }

    /// Fails before any record moves when an input is missing or an output cannot be written.
    func preflight() throws(StreamrunError) { try ConnectorFactory(plan: plan).preflight() }

    func summary(_ outcome: AttemptOutcome, elapsed: Duration) -> RunSummary {
        let m = outcome.runner.metrics
        let count = { (n: PlanNode, c: Int) in RunSummary.Count(id: n.id, kind: n.typeName, records: c) }
        var result = RunSummary(
            job: plan.spec.name,
            sources: plan.nodes.compactMap { n in
                guard case .source(let s) = n.kind else { return nil }
                let node = m[n.id]!
                var c = RunSummary.Count(id: n.id, kind: s.kind.rawValue, records: node.recordsOut.load)
                c.deadLettered = node.deadLettered.load
                c.skipped = node.skipped.load
                c.rules = node.badRecords.load.map { ($0.rule, $0.count.total) }
                return c
            },
            sinks: plan.nodes.compactMap { n in
                guard case .sink(let s) = n.kind else { return nil }
                return .init(id: n.id, kind: s.spec.kind.rawValue, records: m[n.id]!.recordsIn.load)
            },
            late: plan.nodes.compactMap { n in m[n.id]!.lateRecords.load > 0 ? count(n, m[n.id]!.lateRecords.load) : nil },
            badRecords: plan.nodes.compactMap { n in
                let node = m[n.id]!
                guard node.deadLettered.load + node.skipped.load > 0, !n.isSource else { return nil }
                var c = count(n, 0)
                c.deadLettered = node.deadLettered.load
                c.skipped = node.skipped.load
                c.rules = node.badRecords.load.map { ($0.rule, $0.count.total) }
                return c
            },
            duplicates: plan.nodes.compactMap { n in m[n.id]!.duplicates.load > 0 ? count(n, m[n.id]!.duplicates.load) : nil },
            elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            filesCommitted: outcome.sinks.reduce(0) { $0 + ($1.committed.unit == "file" ? $1.committed.count : 0) },
            checkpoints: history.entries.filter { $0.status == .completed })
        result.stoppedAtCheckpoint = outcome.stoppedAt
        result.savepoint = outcome.stoppedAt.flatMap { history.entry($0)?.path }
        return result
    }
}
