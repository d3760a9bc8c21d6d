import StreamrunCheckpoint
import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// How an attempt that did not fail ended.
struct AttemptOutcome {
    var runner: JobRunner
    var sinks: [any TwoPhaseCommitSink]
    /// The checkpoint the job stopped at, when it was stopped rather than finishing its input.
    var stoppedAt: CheckpointID?
}

extension JobLauncher {
    /// One attempt: restore (or, `fresh`, forget the checkpoints), recover the sinks, run, checkpoint,
    /// commit.
    func runAttempt(statusLine: Bool) async throws(StreamrunError) -> AttemptOutcome {
        var coordinator: CheckpointCoordinator?
        var lastID: CheckpointID = 0
        var factory = ConnectorFactory(plan: plan, overwrite: options.overwrite, health: sinkHealth)
        let observer: SourceObserver = { [self] in sourceHappened($0) }
        factory.observer = observer
        sourceConditions.attemptStarted()
        var fresh = FreshStart.first
        if let spec = plan.spec.checkpoints {
            let store = CheckpointStore(root: spec.dir)
            if takeFresh() {
                try startOver(store)
                fresh = .fresh
            }
            let restored = try restoreFrom(store)
            lastID = max((try? store.list().map(\.id).max()) ?? nil ?? 0, restored?.checkpointID ?? 0)
            if let r = restored {
                for w in r.warnings { logger.warning("\(w)") }
                factory = ConnectorFactory(plan: plan, restore: r.snapshots, overwrite: options.overwrite, health: sinkHealth)
                factory.observer = observer
                for sink in factory.sinks { try sink.recover(r.prepared(sink.id), checkpoint: r.checkpointID) }
                let age = Double(max(0, WallClock.nowMs() - r.timestampMs)) / 1000
                let what = r.directory.hasSuffix(CheckpointPaths(root: "").name(r.checkpointID)) ? "checkpoint \(r.checkpointID)" : r.directory
                logger.info("resuming from \(what) (\(RunSummary.seconds(age)) old)", metadata: ["checkpoint": "\(r.checkpointID)"])
            }
            coordinator = CheckpointCoordinator(plan: plan, spec: spec, store: store, sinks: factory.sinks, lifecycle: lifecycle,
                                                logger: logger, events: events, health: sinkHealth)
        } else if options.fromSavepoint != nil {
            throw StreamrunError(.usage, "--from-savepoint needs a checkpoints section in job.json (checkpoints.dir)", location: "checkpoints")
        }
        if factory.restore == nil { for sink in factory.sinks { try sink.startFresh(fresh) } }
        let coord = coordinator
        let runner = JobRunner(plan: plan, factory: factory,
                               options: .init(lastCheckpointID: lastID, onCheckpointComplete: { coord?.completed($0) }))
        setMetrics(runner.metrics)
        lifecycle.attemptStarted(runner, lastCheckpointID: lastID)
        do {
            try await run(runner, coordinator: coord, statusLine: statusLine)
            if coord == nil, let final = runner.finalCheckpoint() {
                for sink in factory.sinks { try await sinkHealth.commit(sink, final.prepared(for: sink.id), checkpoint: final.id) }
            }
        } catch {
            // Without checkpoints nothing of a failed run may remain; with them, the next attempt's
            // recovery puts the output back to its checkpoint.
            if coord == nil { for sink in factory.sinks { sink.abort() } }
            throw error
        }
        return AttemptOutcome(runner: runner, sinks: factory.sinks, stoppedAt: runner.stoppedAtCheckpoint)
    }

    private enum Child { case runner, persister, helper }

    /// Once ``Options/stopTimeoutMs`` has passed after a stop request, cancels the dataflow (whose
    /// tasks end even when a sink's write is blocked) and fails.
    private func stopDeadline(_ runner: JobRunner) async throws -> Child {
        await lifecycle.waitUntilStopRequested()
        try await Task.sleep(for: .milliseconds(options.stopTimeoutMs))
        // Directly: the group's own task may wait for a thread that busy operators hold.
        runner.cancel()
        let last = history.lastCompleted.map { "; its last complete checkpoint is \($0.id)" } ?? ""
        throw StreamrunError(.stopTimedOut, """
            the job did not stop within \(Durations.format(options.stopTimeoutMs)) (is a sink blocked, for example stdout that nobody \
            reads?); it was cancelled without a final checkpoint\(last)
            """, retry: .user)
    }

    /// Runs the dataflow, and beside it the checkpoint trigger and persist loops and the status
    /// line, in one task group: the first failure cancels the rest. Every checkpoint the dataflow
    /// completed is persisted before this returns, the final one (end of input) included.
    private func run(_ runner: JobRunner, coordinator: CheckpointCoordinator?, statusLine: Bool) async throws(StreamrunError) {
        defer { if statusLine { StatusLine.clear() } }
        do {
            try await withThrowingTaskGroup(of: Child.self) { group in
                group.addTask {
                    try await runner.run()
                    return .runner
                }
                if let coordinator {
                    group.addTask {
                        try await coordinator.persistLoop()
                        return .persister
                    }
                    group.addTask {
                        await coordinator.triggerLoop()
                        return .helper
                    }
                }
                if statusLine {
                    group.addTask {
                        await StatusLine(metrics: runner.metrics, plan: self.plan).run()
                        return .helper
                    }
                }
                if let threshold = deadLetterRateThreshold {
                    group.addTask {
                        await self.watchDeadLetterRate(runner.metrics, threshold: threshold)
                        return .helper
                    }
                }
                // On a thread of its own: operators that keep every cooperative thread busy must not
                // hold the deadline back.
                group.addTask(executorPreference: DedicatedThreadExecutor.control) { try await self.stopDeadline(runner) }
                while let child = try await group.next(), child != .runner {}
                if let coordinator {
                    coordinator.finishStream()
                    while let child = try await group.next(), child != .persister {}
                    // The end of input is recorded, and the last files committed, or the run fails.
                    if let final = runner.finalCheckpoint(id: lifecycle.finalCheckpointID()) { try await coordinator.persistFinal(final) }
                }
                group.cancelAll()
            }
        } catch let e as StreamrunError {
            throw e
        } catch is CancellationError {
            throw StreamrunError(.internalError, "job cancelled", retry: .transient)
        } catch {
            throw StreamrunError(.internalError, "job failed: \(error)", retry: .internal)
        }
    }

    /// The smallest `deadLetterRate` of the alerts on `dead_letter_rate` (default 1 %); nil when none is.
    var deadLetterRateThreshold: Double? {
        let alerts = plan.spec.alerts.filter { $0.on.contains(.deadLetterRate) }
        return alerts.isEmpty ? nil : alerts.map { $0.deadLetterRate ?? 0.01 }.min()
    }

    /// Every second, the share of dead-lettered records of each node that sends dead letters;
    /// `dead_letter_rate` when it passes the threshold, `resolved` when it is back.
    func watchDeadLetterRate(_ metrics: JobMetrics, threshold: Double) async {
        var watch = DeadLetterRateWatch(threshold: threshold)
        let nodes = plan.nodes.filter { $0.deadSchema != nil }.map(\.id)
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            for m in metrics.nodes where nodes.contains(m.id) {
                guard let change = watch.observe(node: m.id.name, read: m.recordsRead, deadLettered: m.deadLettered.load,
                                                 nowMs: WallClock.nowMs()) else { continue }
                let percent = { (r: Double) in ErrorRate(rate: (r * 1000).rounded() / 1000, window: 0).percent }
                switch change {
                case .started(let rate, let dead, let read):
                    let message = "\(m.id): \(percent(rate)) of its records were dead-lettered in the last minute "
                        + "(\(dead) of \(read); the alert's threshold is \(percent(threshold)))"
                    logger.warning("\(message)", metadata: ["node": "\(m.id)"])
                    emit(.deadLetterRate, node: m.id.name, message)
                case .cleared(let rate):
                    emit(.resolved, node: m.id.name, resolves: .deadLetterRate,
                         "\(m.id): dead letters are back to \(percent(rate)) of its records (threshold \(percent(threshold)))")
                }
            }
        }
    }

    /// The state this attempt starts from: `--from-savepoint` restores that directory (unless this
    /// process has checkpointed since, after a restart); otherwise the newest valid checkpoint, if
    /// any.
    func restoreFrom(_ store: CheckpointStore) throws(StreamrunError) -> RestoredState? {
        if let dir = options.fromSavepoint, history.lastCompleted == nil {
            return try RestoredState.load(directory: dir, plan: plan, allowNonRestoredState: options.allowNonRestoredState)
        }
        return try RestoredState.load(store, plan: plan, allowNonRestoredState: options.allowNonRestoredState)
    }

    /// `--fresh`: forget the checkpoints. Refused — before anything is deleted — while a sink's
    /// destination holds committed output of this job, which a fresh run would mix with its own
    /// (unless `--overwrite`).
    func startOver(_ store: CheckpointStore) throws(StreamrunError) {
        for sink in ConnectorFactory(plan: plan, overwrite: options.overwrite).sinks { try sink.startFresh(.fresh) }
        for info in try store.list() { try store.delete(info.id) }
    }
}
