#if canImport(Glibc)
import Glibc
#endif
import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Synchronization

/// Takes checkpoints of a running job: triggers one every `interval` (at most one in flight, at least
/// `minPause` apart, abandoned after `timeout`), and persists each completed one away from the task
/// threads — every subtask's state file, then the manifest (which makes it exist), then publishes the
/// file sinks' pending files it lists (the commit phase of two-phase commit), then applies retention.
final class CheckpointCoordinator: Sendable {
    let plan: JobPlan
    let spec: CheckpointSpec
    let store: CheckpointStore
    let committer: FileCommitter
    let history: CheckpointHistory
    private let stream: AsyncStream<CheckpointTracker.Completed>
    private let input: AsyncStream<CheckpointTracker.Completed>.Continuation
    private let persisted = Atomic<Int64>(0)
    let stopped = Atomic<Bool>(false)

    init(plan: JobPlan, spec: CheckpointSpec, store: CheckpointStore, committer: FileCommitter, history: CheckpointHistory) {
        self.plan = plan
        self.history = history
        self.spec = spec
        self.store = store
        self.committer = committer
        (stream, input) = AsyncStream.makeStream(of: CheckpointTracker.Completed.self)
    }

    /// From the runner (any task's thread): a checkpoint every subtask acknowledged.
    func completed(_ c: CheckpointTracker.Completed) { input.yield(c) }

    /// No more checkpoints will complete.
    func finishStream() { input.finish() }

    var lastPersisted: Int64 { persisted.load(ordering: .acquiring) }

    /// Persists completed checkpoints in order until ``finishStream()``.
    func persistLoop() async throws {
        for await c in stream {
            do {
                try persist(c)
            } catch {
                history.failed(c.id, reason: error.description)
                throw error
            }
        }
    }

    func persist(_ c: CheckpointTracker.Completed) throws(StreamrunError) {
        var entries: [StateFileEntry] = []
        for (task, payload) in c.states.sorted(by: { $0.key < $1.key }) {
            guard let node = plan.node(task.node) else { continue }
            let snapshot = OperatorSnapshot(operatorID: task.node, subtask: task.subtask, parallelism: node.parallelism,
                                            maxParallelism: plan.spec.maxParallelism, keyGroups: payload.keyGroups, named: payload.named)
            entries.append(try store.writeStateFile(checkpoint: c.id, snapshot: snapshot))
        }
        let manifest = CheckpointManifest(job: plan.spec.name, checkpointID: c.id, timestampMs: Self.nowMs(),
                                          operators: Self.operators(plan), stateFiles: entries,
                                          jobText: plan.sourceText.isEmpty ? nil : plan.sourceText)
        try store.publish(manifest)
        let manifestSize = Posix.fileSize(store.paths.manifest(c.id)) ?? 0
        history.completed(c.id, sizeBytes: entries.reduce(manifestSize) { $0 + $1.size }, atMs: manifest.timestampMs)
        // The checkpoint is durable: publish what the sinks closed for it.
        for (task, payload) in c.states.sorted(by: { $0.key < $1.key }) where Self.isFileSink(plan.node(task.node)) {
            try committer.commit(try SinkState(payload: payload.named).pending)
        }
        _ = try store.retain(spec.retain)
        persisted.store(c.id, ordering: .releasing)
    }

    /// Triggers checkpoints on the interval until cancelled or stopped.
    func triggerLoop(_ runner: JobRunner) async {
        let interval = Duration.milliseconds(max(spec.intervalMs, 1))
        while !Task.isCancelled && !stopped.load(ordering: .relaxed) {
            try? await Task.sleep(for: interval)
            if Task.isCancelled || stopped.load(ordering: .relaxed) { return }
            let id = runner.triggerCheckpoint()
            history.triggered(id, kind: "checkpoint", atMs: Self.nowMs())
            let deadline = ContinuousClock.now + .milliseconds(spec.timeoutMs)
            while lastPersisted < id && ContinuousClock.now < deadline && !Task.isCancelled && !stopped.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(5))
            }
            if spec.minPauseMs > 0 { try? await Task.sleep(for: .milliseconds(spec.minPauseMs)) }
        }
    }

    static func isFileSink(_ node: PlanNode?) -> Bool {
        if case .sink(let s)? = node?.kind { return s.spec.kind == .file }
        return false
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
