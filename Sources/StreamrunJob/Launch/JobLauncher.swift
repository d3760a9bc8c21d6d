#if canImport(Glibc)
import Glibc
#endif
import Logging
import StreamrunCheckpoint
import StreamrunConnectors
import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime
import Synchronization

/// Runs a validated job to completion: checks inputs and outputs up front, resumes from the newest
/// valid checkpoint when the job has a checkpoint directory, runs the dataflow while a coordinator
/// takes checkpoints, and publishes sink files — at each completed checkpoint, or (without
/// checkpoints) all together at the end. Without checkpoints a failed run removes everything it
/// wrote; with them, a failure other than a user error restarts from the last checkpoint after a
/// fixed delay (at most `maxRestarts` times).
public final class JobLauncher: Sendable {
    public struct Options: Sendable {
        /// Ignore existing checkpoints and start from the beginning.
        public var fresh: Bool
        public var maxRestarts: Int
        public var restartDelayMs: Int64
        /// Where progress messages go ("resuming from checkpoint 17 …").
        public var notice: @Sendable (String) -> Void
        /// The directory of job.json: default savepoints go to `<jobDirectory>/savepoints/<job name>/`.
        public var jobDirectory: String
        /// Restore from this checkpoint or savepoint directory instead of the newest checkpoint.
        public var fromSavepoint: String?
        /// Drop the state of operators the job no longer has instead of refusing to start.
        public var allowNonRestoredState = false

        public init(fresh: Bool = false, maxRestarts: Int = 3, restartDelayMs: Int64 = 1000, jobDirectory: String = ".",
                    notice: @escaping @Sendable (String) -> Void = { _ in }) {
            self.fresh = fresh
            self.jobDirectory = jobDirectory
            self.maxRestarts = maxRestarts
            self.restartDelayMs = restartDelayMs
            self.notice = notice
        }
    }

    public let plan: JobPlan
    let options: Options
    let logger: Logger
    /// Checkpoints and savepoints taken by this process, newest last.
    public let history = CheckpointHistory()
    /// The running attempt.
    private let current = Mutex<(runner: JobRunner, coordinator: CheckpointCoordinator?)?>(nil)
    /// Where the stop checkpoint is to be written as a savepoint (`stop --savepoint`).
    private let stopSavepointRoot = Mutex<String?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private let freshDone = Atomic<Bool>(false)
    private let lifecycle = Mutex<(state: JobStatus.State, restarts: Int)>((.starting, 0))
    private let started = ContinuousClock.now

    public init(plan: JobPlan, options: Options = Options(), logger: Logger = Logger(label: "streamrun")) {
        self.plan = plan
        self.options = options
        self.logger = logger
    }

    /// Asks the job to stop (SIGINT / SIGTERM, `POST /stop`). With checkpoints it stops at a final
    /// checkpoint without emitting anything after it, so the next run continues exactly there;
    /// without, the sources stop reading and the job drains and commits what it read.
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        if let attempt = current.withLock({ $0 }) { stop(attempt) }
    }

    private func stop(_ attempt: (runner: JobRunner, coordinator: CheckpointCoordinator?)) {
        if let coord = attempt.coordinator {
            _ = coord.trigger(attempt.runner, savepointRoot: stopSavepointRoot.withLock { $0 }, stop: true)
        } else {
            attempt.runner.requestStop()
        }
    }

    /// The current attempt, for the control API.
    func attempt() -> (runner: JobRunner, coordinator: CheckpointCoordinator?)? { current.withLock { $0 } }

    func setStopSavepointRoot(_ root: String) { stopSavepointRoot.withLock { $0 = root } }

    public func run(statusLine: Bool) async throws(StreamrunError) -> RunSummary {
        do {
            let summary = try await runAttempts(statusLine: statusLine)
            setState(summary.stoppedAtCheckpoint == nil ? .finished : .stopped)
            return summary
        } catch {
            setState(.failed)
            throw error
        }
    }

    func runAttempts(statusLine: Bool) async throws(StreamrunError) -> RunSummary {
        try preflight()
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            do {
                let (runner, factory) = try await runOnce(statusLine: statusLine)
                var result = summary(runner: runner, sinks: factory.sinks, elapsed: start.duration(to: clock.now))
                result.stoppedAtCheckpoint = runner.stoppedAtCheckpoint
                result.savepoint = result.stoppedAtCheckpoint.flatMap { history.entry($0)?.path }
                return result
            } catch {
                let restartable = plan.spec.checkpoints != nil && error.retry != .user && attempt < options.maxRestarts
                    && !stopRequested.load(ordering: .relaxed)
                guard restartable else { throw error }
                attempt += 1
                lifecycle.withLock { $0 = (.restarting, $0.restarts + 1) }
                options.notice("job failed: \(error.description); restarting from the last checkpoint in "
                    + "\(options.restartDelayMs) ms (attempt \(attempt) of \(options.maxRestarts))")
                try? await Task.sleep(for: .milliseconds(options.restartDelayMs))
            }
        }
    }

    /// One attempt: restore (or, `fresh`, forget the checkpoints), run, checkpoint, commit.
    func runOnce(statusLine: Bool) async throws(StreamrunError) -> (JobRunner, ConnectorFactory) {
        var restored: RestoredState?
        var coordinator: CheckpointCoordinator?
        var lastID: Int64 = 0
        var factory = ConnectorFactory(plan: plan)
        if let spec = plan.spec.checkpoints {
            let store = CheckpointStore(root: spec.dir)
            restored = try restoreFrom(store)
            lastID = max((try? store.list().map(\.id).max()) ?? nil ?? 0, restored?.checkpointID ?? 0)
            if let r = restored {
                for w in r.warnings { options.notice("warning: \(w)") }
                factory = ConnectorFactory(plan: plan, restore: r.snapshots)
                for sink in factory.sinks { try sink.recover(r.prepared(sink.id), checkpoint: r.checkpointID) }
                let age = Double(max(0, CheckpointCoordinator.nowMs() - r.timestampMs)) / 1000
                let what = r.directory.hasSuffix(CheckpointPaths(root: "").name(r.checkpointID)) ? "checkpoint \(r.checkpointID)" : r.directory
                options.notice("resuming from \(what) (\(RunSummary.seconds(age)) old)")
            }
            coordinator = CheckpointCoordinator(plan: plan, spec: spec, store: store, sinks: factory.sinks, history: history)
        } else if options.fromSavepoint != nil {
            throw StreamrunError(.usage, "--from-savepoint needs a checkpoints section in job.json (checkpoints.dir)", location: "checkpoints")
        }
        let coord = coordinator
        let runner = JobRunner(plan: plan, factory: factory,
                               options: .init(lastCheckpointID: lastID, onCheckpointComplete: { coord?.completed($0) }))
        current.withLock { $0 = (runner, coord) }
        if stopRequested.load(ordering: .acquiring) { stop((runner, coord)) } else { setState(.running) }
        // Persisting must see every completed checkpoint through, the final one included: it is not
        // cancelled with the other helpers, only awaited.
        let persisting = coord.map { c in Task { try await c.persistLoop() } }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let coord { group.addTask { await coord.triggerLoop(runner) } }
                if statusLine {
                    group.addTask { await StatusLine(metrics: runner.metrics, plan: self.plan).run() }
                }
                defer {
                    coord?.stopped.store(true, ordering: .relaxed)
                    group.cancelAll()
                }
                try await runner.run()
                coord?.stopped.store(true, ordering: .relaxed)
                if let coord, let final = runner.finalCheckpoint() { coord.completed(final) }
            }
            coord?.finishStream()
            try await persisting?.value
            if statusLine { StatusLine.clear() }
        } catch {
            coord?.finishStream()
            _ = try? await persisting?.value
            if statusLine { StatusLine.clear() }
            if coordinator == nil { for sink in factory.sinks { sink.abort() } }
            if let e = error as? StreamrunError { throw e }
            if error is CancellationError { throw StreamrunError(.internalError, "job cancelled", retry: .transient) }
            throw StreamrunError(.internalError, "job failed: \(error)", retry: .internal)
        }
        if coordinator == nil, let final = runner.finalCheckpoint() {
            do {
                for sink in factory.sinks {
                    try sink.commit(final.states.filter { $0.key.node == sink.id }.map { PreparedCommit(subtask: $0.key.subtask, state: $0.value) },
                                    checkpoint: final.id)
                }
            } catch {
                for sink in factory.sinks { sink.abort() }
                throw error
            }
        }
        return (runner, factory)
    }

    /// The state this attempt starts from: `--fresh` forgets the checkpoints; `--from-savepoint`
    /// restores that directory (unless this process has checkpointed since, after a restart);
    /// otherwise the newest valid checkpoint, if any.
    func restoreFrom(_ store: CheckpointStore) throws(StreamrunError) -> RestoredState? {
        if options.fresh && !freshDone.load(ordering: .relaxed) {
            try startOver(store)
            freshDone.store(true, ordering: .relaxed)
            return nil
        }
        if let dir = options.fromSavepoint, history.lastCompleted == nil {
            return try RestoredState.load(directory: dir, plan: plan, allowNonRestoredState: options.allowNonRestoredState)
        }
        return try RestoredState.load(store, plan: plan, allowNonRestoredState: options.allowNonRestoredState)
    }

    func setState(_ s: JobStatus.State) { lifecycle.withLock { $0.state = s } }

    /// Where the job is in its life (a running job asked to stop is `stopping`). Cheap: no metrics.
    public var state: JobStatus.State {
        let state = lifecycle.withLock { $0.state }
        return stopRequested.load(ordering: .relaxed) && state == .running ? .stopping : state
    }

    /// The job right now: for `GET /job` and `streamrun status`.
    public func status() -> JobStatus {
        let restarts = lifecycle.withLock { $0.restarts }
        let parallelism = Dictionary(uniqueKeysWithValues: plan.nodes.map { ($0.id, $0.parallelism) })
        let d = started.duration(to: .now)
        return JobStatus(job: plan.spec.name, state: state,
                         uptimeSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                         restarts: restarts, operators: metrics?.operatorStatus(parallelism: parallelism) ?? [],
                         lastCheckpoint: history.lastCompleted, checkpointsDir: plan.spec.checkpoints?.dir)
    }

    /// The metrics of the current attempt (nil before the first starts).
    public var metrics: JobMetrics? { current.withLock { $0 }?.runner.metrics }

    /// `--fresh`: forget the checkpoints. Refused while a sink's destination holds committed output
    /// of this job, which a fresh run would mix with its own.
    func startOver(_ store: CheckpointStore) throws(StreamrunError) {
        for sink in ConnectorFactory(plan: plan).sinks { try sink.checkFreshStart() }
        for info in try store.list() { try store.delete(info.id) }
    }

    func summary(runner: JobRunner, sinks: [any TwoPhaseCommitSink], elapsed: Duration) -> RunSummary {
        let m = runner.metrics
        return RunSummary(
            job: plan.spec.name,
            sources: plan.nodes.compactMap { n in
                guard case .source(let s) = n.kind else { return nil }
                return .init(id: n.id, kind: s.kind.rawValue, records: m[n.id]!.recordsOut.load)
            },
            sinks: plan.nodes.compactMap { n in
                guard case .sink(let s) = n.kind else { return nil }
                return .init(id: n.id, kind: s.spec.kind.rawValue, records: m[n.id]!.recordsIn.load)
            },
            late: plan.nodes.compactMap { n in
                let c = m[n.id]!.lateRecords.load
                return c > 0 ? .init(id: n.id, kind: n.typeName, records: c) : nil
            },
            duplicates: plan.nodes.compactMap { n in
                let c = m[n.id]!.duplicates.load
                return c > 0 ? .init(id: n.id, kind: n.typeName, records: c) : nil
            },
            elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            filesCommitted: sinks.reduce(0) { $0 + ($1.committed.unit == "file" ? $1.committed.count : 0) },
            checkpoints: history.entries.filter { $0.status == .completed })
    }

    /// Fails before any record moves when an input is missing or an output directory is not writable.
    func preflight() throws(StreamrunError) { try ConnectorFactory(plan: plan).preflight() }
}
