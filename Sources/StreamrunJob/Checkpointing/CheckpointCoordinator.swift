import Logging
import StreamrunCheckpoint
import StreamrunConnectors
import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime

/// Takes the checkpoints of one attempt: triggers one every `interval` through the job's
/// ``JobLifecycle`` (at most one in flight, at least `minPause` apart, abandoned after `timeout`),
/// and persists each completed one away from the task threads — every subtask's state file, then
/// the manifest (which makes it exist), then the same files as a savepoint when one was asked for,
/// then the sinks' commit (the second phase of ``TwoPhaseCommitSink``), then retention.
///
/// A checkpoint that cannot be written is logged, counted, its partial directory removed, and the
/// next one is triggered as usual; its sinks' files are committed with the next checkpoint that
/// completes (writers keep listing them until then).
///
/// - Important: ``persistLoop()`` throws when more than `tolerableFailures` checkpoints in a row
///   failed, or the stop checkpoint failed, which fails the attempt (the launcher restarts it from
///   the last complete checkpoint, or reports the stop as failed).
final class CheckpointCoordinator: Sendable {
    let plan: JobPlan
    let spec: CheckpointSpec
    let store: CheckpointStore
    /// The job's sinks, whose commit is the second phase of each checkpoint.
    let sinks: [any TwoPhaseCommitSink]
    let lifecycle: JobLifecycle
    let logger: Logger
    let events: JobEvents?
    /// The sinks' retries and breakers, which commits go through.
    let health: SinkHealth
    private let stream: AsyncStream<CheckpointTracker.Completed>
    private let input: AsyncStream<CheckpointTracker.Completed>.Continuation

    init(plan: JobPlan, spec: CheckpointSpec, store: CheckpointStore, sinks: [any TwoPhaseCommitSink], lifecycle: JobLifecycle,
         logger: Logger, events: JobEvents? = nil, health: SinkHealth? = nil) {
        self.health = health ?? SinkHealth(plan: plan)
        self.logger = logger
        self.events = events
        self.plan = plan
        self.spec = spec
        self.store = store
        self.sinks = sinks
        self.lifecycle = lifecycle
        (stream, input) = AsyncStream.makeStream(of: CheckpointTracker.Completed.self)
    }

    /// From the runner (any task's thread): a checkpoint every subtask acknowledged.
    func completed(_ c: CheckpointTracker.Completed) { input.yield(c) }

    /// No more checkpoints will complete: ``persistLoop()`` returns after the last.
    func finishStream() { input.finish() }

    /// Persists completed checkpoints in order until ``finishStream()``.
    func persistLoop() async throws(StreamrunError) {
        // One content buffer for every state file of every checkpoint: a fresh multi-megabyte
        // buffer per file would be paged in from zero each time.
        var content = SnapshotWriter()
        var failures = 0
        for await c in stream {
            let trigger = lifecycle.checkpointAligned(c.id)
            do {
                try await persist(c, trigger: trigger, content: &content)
                failures = 0
                events?.checkpointCompleted(c.id, job: plan.spec.name)
            } catch {
                failures += 1
                guard failures <= spec.tolerableFailures, trigger?.stop != true else { throw error }
                logger.warning("""
                    checkpoint \(c.id) failed: \(error.description); the next one follows \
                    (\(failures) of \(spec.tolerableFailures) tolerable consecutive failures)
                    """, metadata: ["checkpoint": "\(c.id)", "error.code": "\(error.code)"])
                var e = JobEvent(event: .checkpointFailed, job: plan.spec.name, message: "checkpoint \(c.id) failed: \(error.description)", error: error)
                e.checkpoint = c.id
                events?.emit(e)
            }
        }
    }

    /// Triggers a checkpoint every interval until cancelled, waiting for each to be done (or to
    /// time out) before the next interval starts.
    func triggerLoop() async {
        let interval = Duration.milliseconds(max(spec.intervalMs, 1))
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            guard let id = lifecycle.triggerPeriodic() else { continue }
            let timedOut = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await self.lifecycle.waitForCheckpoint(id)
                    return false
                }
                group.addTask {
                    do { try await Task.sleep(for: .milliseconds(self.spec.timeoutMs)) } catch { return false }
                    return true
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if timedOut { lifecycle.checkpointTimedOut(id, reason: "timed out after \(spec.timeoutMs) ms") }
            if spec.minPauseMs > 0 {
                do { try await Task.sleep(for: .milliseconds(spec.minPauseMs)) } catch { return }
            }
        }
    }

    /// Persists the checkpoint that records the end of the input; a failure is fatal.
    func persistFinal(_ c: CheckpointTracker.Completed) async throws(StreamrunError) {
        var content = SnapshotWriter()
        try await persist(c, trigger: nil, content: &content)
    }

    /// Persists one completed checkpoint. A failure is recorded and thrown; the stop checkpoint's
    /// failure (the job would stop without a checkpoint to continue from) is always fatal.
    func persist(_ c: CheckpointTracker.Completed, trigger: JobLifecycle.Machine.Trigger?,
                 content: inout SnapshotWriter) async throws(StreamrunError) {
        do {
            try await write(c, savepointRoot: trigger?.savepointRoot, content: &content)
        } catch {
            lifecycle.checkpointFailed(c.id, reason: error.description)
            // A checkpoint without its manifest is an abandoned attempt: remove what was written.
            try? store.abort(c.id)
            if trigger?.stop == true {
                throw StreamrunError(error.code, "the stop checkpoint \(c.id) failed: \(error.message)", retry: error.retry,
                                     location: error.location, underlying: error.underlying)
            }
            throw error
        }
    }

    private func write(_ c: CheckpointTracker.Completed, savepointRoot: String?, content: inout SnapshotWriter) async throws(StreamrunError) {
        var files: [(OperatorSnapshot, [UInt8])] = []
        for (task, payload) in c.states.sorted(by: { $0.key < $1.key }) {
            guard let node = plan.node(task.node) else { continue }
            let snapshot = OperatorSnapshot(operatorID: task.node.name, subtask: task.subtask, parallelism: node.parallelism,
                                            maxParallelism: plan.spec.maxParallelism, keyGroups: payload.keyGroups, named: payload.named)
            files.append((snapshot, try StateFile.encode(snapshot, content: &content)))
        }
        let summaries = ManifestSummaries.make(c.states, plan: plan)
        let manifest = try write(files, id: c.id, to: store, summaries: summaries)
        var size = manifest.stateFiles.reduce(FileIO.fileSize(store.paths.manifest(c.id)) ?? 0) { $0 + $1.size }
        var savepointPath: String?
        var savepointFailure: String?
        if let savepointRoot {
            let sp = CheckpointStore(root: savepointRoot, prefix: CheckpointPaths.savepointPrefix)
            do {
                _ = try write(files, id: c.id, to: sp, summaries: summaries)
                savepointPath = sp.paths.directory(c.id)
                size = manifest.stateFiles.reduce(FileIO.fileSize(sp.paths.manifest(c.id)) ?? 0) { $0 + $1.size }
            } catch {
                // The checkpoint stands; only the savepoint copy failed.
                savepointFailure = "savepoint: \(error.description)"
                try? sp.abort(c.id)
            }
        }
        // The checkpoint is durable: the sinks make visible what they prepared for it.
        for sink in sinks { try await health.commit(sink, c.prepared(for: sink.id), checkpoint: c.id) }
        do {
            _ = try store.retain(spec.retain)
        } catch {
            logger.warning("checkpoint \(c.id): old checkpoints could not be removed: \(error.description)")
        }
        if let savepointFailure {
            lifecycle.checkpointFailed(c.id, reason: savepointFailure)
        } else {
            lifecycle.checkpointCompleted(c.id, sizeBytes: size, atMs: manifest.timestampMs, savepoint: savepointPath)
        }
    }

    /// Writes every state file, then the manifest (which makes the checkpoint exist) into `target`.
    private func write(_ files: [(OperatorSnapshot, [UInt8])], id: CheckpointID, to target: CheckpointStore,
                       summaries: (sources: [String: ManifestValue], watermarks: [String: Watermark])) throws(StreamrunError) -> CheckpointManifest {
        var entries: [StateFileEntry] = []
        for (snapshot, bytes) in files {
            entries.append(try target.writeStateFile(checkpoint: id, operator: snapshot.operatorID, subtask: snapshot.subtask, bytes: bytes))
        }
        let manifest = CheckpointManifest(job: plan.spec.name, checkpointID: id, timestampMs: WallClock.nowMs(),
                                          operators: Self.operators(plan), stateFiles: entries,
                                          sources: summaries.sources, watermarks: summaries.watermarks,
                                          jobText: plan.sourceText.isEmpty ? nil : plan.sourceText)
        try target.publish(manifest)
        return manifest
    }

    /// The job's nodes as the manifest records them (id, type, parallelism).
    static func operators(_ plan: JobPlan) -> [CheckpointManifest.Operator] {
        plan.nodes.map { CheckpointManifest.Operator(id: $0.id.name, type: $0.typeName, parallelism: $0.parallelism,
                                                     maxParallelism: plan.spec.maxParallelism) }
    }
}
