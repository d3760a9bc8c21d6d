#if canImport(Glibc)
import Glibc
#endif
import StreamrunCheckpoint
import StreamrunConnectors
import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime
import Synchronization

/// Takes checkpoints of a running job: triggers one every `interval` (at most one in flight, at least
/// `minPause` apart, abandoned after `timeout`), and persists each completed one away from the task
/// threads — every subtask's state file, then the manifest (which makes it exist), then the same
/// files as a savepoint when one was asked for, then publishes the file sinks' pending files it
/// lists (the commit phase of two-phase commit), then applies retention.
final class CheckpointCoordinator: Sendable {
    let plan: JobPlan
    let spec: CheckpointSpec
    let store: CheckpointStore
    /// The job's sinks, whose commit is the second phase of each checkpoint.
    let sinks: [any TwoPhaseCommitSink]
    let history: CheckpointHistory
    private let stream: AsyncStream<CheckpointTracker.Completed>
    private let input: AsyncStream<CheckpointTracker.Completed>.Continuation
    private let persisted = Atomic<Int64>(0)
    let stopped = Atomic<Bool>(false)
    private struct Triggers {
        var savepointRoots: [Int64: String] = [:]
        var lastTriggered: Int64 = 0
    }
    /// Serializes triggering; `persist` reads a checkpoint's savepoint target under it, so the
    /// target is always registered before the checkpoint can be persisted.
    private let triggers = Mutex(Triggers())

    init(plan: JobPlan, spec: CheckpointSpec, store: CheckpointStore, sinks: [any TwoPhaseCommitSink], history: CheckpointHistory) {
        self.sinks = sinks
        self.plan = plan
        self.history = history
        self.spec = spec
        self.store = store
        (stream, input) = AsyncStream.makeStream(of: CheckpointTracker.Completed.self)
    }

    /// From the runner (any task's thread): a checkpoint every subtask acknowledged.
    func completed(_ c: CheckpointTracker.Completed) { input.yield(c) }

    /// No more checkpoints will complete.
    func finishStream() { input.finish() }

    var lastPersisted: Int64 { persisted.load(ordering: .acquiring) }

    /// Persists completed checkpoints in order until ``finishStream()``.
    func persistLoop() async throws {
        // One content buffer for every state file of every checkpoint: a fresh multi-megabyte
        // buffer per file would be paged in from zero each time.
        var content = SnapshotWriter()
        for await c in stream {
            do {
                try persist(c, content: &content)
            } catch {
                history.failed(c.id, reason: error.description)
                throw error
            }
        }
    }

    func persist(_ c: CheckpointTracker.Completed, content: inout SnapshotWriter) throws(StreamrunError) {
        let savepointRoot = triggers.withLock { $0.savepointRoots.removeValue(forKey: c.id) }
        var files: [(OperatorSnapshot, [UInt8])] = []
        for (task, payload) in c.states.sorted(by: { $0.key < $1.key }) {
            guard let node = plan.node(task.node) else { continue }
            let snapshot = OperatorSnapshot(operatorID: task.node, subtask: task.subtask, parallelism: node.parallelism,
                                            maxParallelism: plan.spec.maxParallelism, keyGroups: payload.keyGroups, named: payload.named)
            files.append((snapshot, try StateFile.encode(snapshot, content: &content)))
        }
        let summaries = ManifestSummaries.make(c.states, plan: plan)
        let manifest = try write(files, id: c.id, to: store, summaries: summaries)
        var size = manifest.stateFiles.reduce(FileIO.fileSize(store.paths.manifest(c.id)) ?? 0) { $0 + $1.size }
        var savepointPath: String?
        if let savepointRoot {
            let sp = CheckpointStore(root: savepointRoot, prefix: CheckpointPaths.savepointPrefix)
            do {
                _ = try write(files, id: c.id, to: sp, summaries: summaries)
                savepointPath = sp.paths.directory(c.id)
                size = manifest.stateFiles.reduce(FileIO.fileSize(sp.paths.manifest(c.id)) ?? 0) { $0 + $1.size }
            } catch {
                // The checkpoint stands; only the savepoint copy failed.
                history.failed(c.id, reason: "savepoint: \(error.description)")
            }
        }
        // The checkpoint is durable: the sinks make visible what they prepared for it.
        for sink in sinks {
            let prepared = c.states.filter { $0.key.node == sink.id }.sorted { $0.key < $1.key }
            try sink.commit(prepared.map { PreparedCommit(subtask: $0.key.subtask, state: $0.value) }, checkpoint: c.id)
        }
        _ = try store.retain(spec.retain)
        if savepointRoot == nil || savepointPath != nil {
            history.completed(c.id, sizeBytes: size, atMs: manifest.timestampMs, path: savepointPath)
        }
        persisted.store(c.id, ordering: .releasing)
    }

    /// Writes every state file, then the manifest (which makes the checkpoint exist) into `target`.
    private func write(_ files: [(OperatorSnapshot, [UInt8])], id: Int64, to target: CheckpointStore,
                       summaries: (sources: [String: ManifestValue], watermarks: [String: Watermark])) throws(StreamrunError) -> CheckpointManifest {
        var entries: [StateFileEntry] = []
        for (snapshot, bytes) in files {
            entries.append(try target.writeStateFile(checkpoint: id, operator: snapshot.operatorID, subtask: snapshot.subtask, bytes: bytes))
        }
        let manifest = CheckpointManifest(job: plan.spec.name, checkpointID: id, timestampMs: Self.nowMs(),
                                          operators: Self.operators(plan), stateFiles: entries,
                                          sources: summaries.sources, watermarks: summaries.watermarks, jobText: plan.sourceText.isEmpty ? nil : plan.sourceText)
        try target.publish(manifest)
        return manifest
    }

    /// Starts a checkpoint unless one is in flight; with `savepointRoot`, it is also written as a
    /// savepoint under that directory. With `stop`, the job stops right after it (any checkpoint in
    /// flight is abandoned). Returns the id, or nil when another checkpoint is in flight.
    func trigger(_ runner: JobRunner, savepointRoot: String? = nil, stop: Bool = false) -> Int64? {
        triggers.withLock { t in
            // In flight until persisted: every subtask may have acknowledged it while its files are still
            // being written, and a new trigger would mark it abandoned in the history.
            if !stop, runner.checkpointInFlight != nil || history.entry(t.lastTriggered)?.status == .inProgress { return nil }
            let before = runner.checkpointInFlight
            let id = stop ? runner.stopWithCheckpoint() : runner.triggerCheckpoint()
            if id != before {
                history.triggered(id, kind: savepointRoot == nil ? "checkpoint" : "savepoint", atMs: Self.nowMs())
            } else if savepointRoot != nil {
                history.markSavepoint(id)
            }
            if let savepointRoot { t.savepointRoots[id] = savepointRoot }
            t.lastTriggered = id
            return id
        }
    }

    /// Triggers checkpoints on the interval until cancelled or stopped.
    func triggerLoop(_ runner: JobRunner) async {
        let interval = Duration.milliseconds(max(spec.intervalMs, 1))
        while !Task.isCancelled && !stopped.load(ordering: .relaxed) {
            try? await Task.sleep(for: interval)
            if Task.isCancelled || stopped.load(ordering: .relaxed) { return }
            guard let id = trigger(runner) else { continue }
            let deadline = ContinuousClock.now + .milliseconds(spec.timeoutMs)
            while lastPersisted < id && !Task.isCancelled && !stopped.load(ordering: .relaxed) {
                if ContinuousClock.now >= deadline {
                    runner.abandonCheckpoint(id)
                    history.failed(id, reason: "timed out after \(spec.timeoutMs) ms")
                    break
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            if spec.minPauseMs > 0 { try? await Task.sleep(for: .milliseconds(spec.minPauseMs)) }
        }
    }

    /// The job's nodes as the manifest records them (id, type, parallelism).
    static func operators(_ plan: JobPlan) -> [CheckpointManifest.Operator] {
        plan.nodes.map { CheckpointManifest.Operator(id: $0.id, type: $0.typeName, parallelism: $0.parallelism,
                                                     maxParallelism: plan.spec.maxParallelism) }
    }

    /// Wall-clock time, only for the manifest's "taken at" and the resume message — never for data.
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
