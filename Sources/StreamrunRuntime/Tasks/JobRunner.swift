import StreamrunCore
import StreamrunPlan
import Synchronization

/// Runs a job: one task per stage subtask, in one task group, connected by bounded ``InputGate``s.
///
/// - Important: ``run()`` returns when every task has finished (bounded input consumed, or a stop was
///   requested and the pipeline drained). If any task throws, every gate is failed so all other tasks
///   stop, and `run()` rethrows the first error.
public final class JobRunner: Sendable {
    public struct Options: Sendable {
        /// Capacity of each input queue, in records.
        public var channelCapacity: Int
        /// Called (on a task's thread) when every live subtask has acknowledged a checkpoint.
        public var onCheckpointComplete: (@Sendable (CheckpointTracker.Completed) -> Void)?
        /// The highest checkpoint id already used; new checkpoints continue after it.
        public var lastCheckpointID: CheckpointID
        public init(channelCapacity: Int = 16_384, lastCheckpointID: CheckpointID = 0,
                    onCheckpointComplete: (@Sendable (CheckpointTracker.Completed) -> Void)? = nil) {
            self.channelCapacity = channelCapacity
            self.lastCheckpointID = lastCheckpointID
            self.onCheckpointComplete = onCheckpointComplete
        }
    }

    public let plan: JobPlan
    public let physical: PhysicalPlan
    public let metrics: JobMetrics
    public let stop = StopFlag()
    /// Set by ``cancel()``: every output refuses to emit.
    let aborted = StopFlag()
    let factory: any OperatorFactory
    let options: Options
    /// gates[stage][subtask]; nil for source stages.
    let gates: [[InputGate?]]
    /// For each stage, the first gate input index of each of its input edges.
    let inputBase: [[Int]]
    let checkpoints: CheckpointState

    public init(plan: JobPlan, factory: any OperatorFactory, options: Options = Options()) {
        self.plan = plan
        self.physical = PhysicalPlan(plan)
        self.factory = factory
        self.options = options
        self.metrics = JobMetrics(nodes: plan.nodes.map { NodeMetrics(id: $0.id, kind: $0.typeName, parallelism: $0.parallelism) })
        var gates: [[InputGate?]] = []
        var bases: [[Int]] = []
        for stage in physical.stages {
            var base: [Int] = []
            var n = 0
            for e in stage.inputs {
                base.append(n)
                n += e.partitioning == .forward ? 1 : physical.stages[e.fromStage].parallelism
            }
            bases.append(base)
            gates.append((0..<stage.parallelism).map { _ in n == 0 ? nil : InputGate(inputs: n, capacity: options.channelCapacity) })
        }
        self.gates = gates
        self.inputBase = bases
        var subtasks: Set<SubtaskID> = []
        for stage in physical.stages {
            for id in stage.nodes { for i in 0..<stage.parallelism { subtasks.insert(SubtaskID(node: id, subtask: i)) } }
        }
        self.checkpoints = CheckpointState(tracker: CheckpointTracker(subtasks: subtasks, after: options.lastCheckpointID))
        self.checkpoints.requested.store(options.lastCheckpointID.value, ordering: .relaxed)
    }

    /// Starts a checkpoint: every source subtask injects its barrier after its current batch.
    /// Returns the checkpoint id. A pending checkpoint that has not completed is abandoned.
    @discardableResult
    public func triggerCheckpoint() -> CheckpointID {
        checkpoints.tracker.withLock { t in
            // Once stopping at a checkpoint, no later one may abandon it.
            let stopping = checkpoints.suspendAt.load(ordering: .acquiring)
            if stopping > 0 { return CheckpointID(stopping) }
            let id = t.trigger().id
            checkpoints.requested.store(id.value, ordering: .releasing)
            return id
        }
    }

    /// Starts checkpoint `id`, chosen by the caller (the job's coordinator numbers checkpoints).
    /// Ignored when `id` is not above every checkpoint triggered before, or the job is stopping.
    public func triggerCheckpoint(_ id: CheckpointID) {
        checkpoints.tracker.withLock { t in
            guard checkpoints.suspendAt.load(ordering: .acquiring) == 0, t.trigger(id) else { return }
            checkpoints.requested.store(id.value, ordering: .releasing)
        }
    }

    func acknowledge(_ id: CheckpointID, _ task: SubtaskID, state: SnapshotPayload?) {
        let done = checkpoints.tracker.withLock {
            $0.acknowledge(id, task: task, state: state ?? SnapshotPayload())
        }
        if let done { options.onCheckpointComplete?(done) }
    }

    func taskFinished(_ task: SubtaskID, state: SnapshotPayload?) {
        let done = checkpoints.tracker.withLock { $0.finished(task, state: state ?? SnapshotPayload()) }
        if let done { options.onCheckpointComplete?(done) }
    }

    /// The checkpoint the job stopped at (``stopWithCheckpoint()``), when it did stop there rather
    /// than finish its input.
    public var stoppedAtCheckpoint: CheckpointID? {
        let id = checkpoints.suspendAt.load(ordering: .acquiring)
        return id > 0 && !checkpoints.tracker.withLock({ $0.allFinished }) ? CheckpointID(id) : nil
    }

    /// After every task finished: the checkpoint that records the end of the job (all final states),
    /// numbered `id` if given, else the next id.
    public func finalCheckpoint(id: CheckpointID? = nil) -> CheckpointTracker.Completed? {
        checkpoints.tracker.withLock { $0.allFinished ? $0.finalCheckpoint(id: id) : nil }
    }

    /// The checkpoint in flight, if any.
    public var checkpointInFlight: CheckpointID? { checkpoints.tracker.withLock { $0.inFlight } }

    /// Gives up checkpoint `id` if it has not completed (its timeout passed).
    public func abandonCheckpoint(_ id: CheckpointID) { checkpoints.tracker.withLock { $0.abandon(id) } }

    /// Asks sources to stop reading; the job then drains and finishes normally (end of input:
    /// windows fire, sinks flush). For a job without checkpoints.
    public func requestStop() { stop.request() }

    /// Stops the job at a checkpoint: triggers one, and every source ends right after injecting its
    /// barrier, sending ``StreamElement/suspend`` instead of end-of-input, so no task finishes its
    /// operators and nothing is emitted after the checkpoint. ``run()`` returns once every task has
    /// stopped. Returns the checkpoint's id (its completion is reported as usual).
    @discardableResult
    public func stopWithCheckpoint() -> CheckpointID {
        let id = checkpoints.tracker.withLock { t in
            let stopping = checkpoints.suspendAt.load(ordering: .acquiring)
            if stopping > 0 { return CheckpointID(stopping) }
            let id = t.trigger().id
            checkpoints.suspendAt.store(id.value, ordering: .releasing)
            checkpoints.requested.store(id.value, ordering: .releasing)
            return id
        }
        stop.request()
        return id
    }

    /// ``stopWithCheckpoint()`` at checkpoint `id`, chosen by the caller. Ignored when the job is
    /// already stopping or `id` is stale.
    public func stopWithCheckpoint(_ id: CheckpointID) {
        let accepted = checkpoints.tracker.withLock { t in
            guard checkpoints.suspendAt.load(ordering: .acquiring) == 0, t.trigger(id) else { return false }
            checkpoints.suspendAt.store(id.value, ordering: .releasing)
            checkpoints.requested.store(id.value, ordering: .releasing)
            return true
        }
        if accepted { stop.request() }
    }

    /// Runs every task until all have finished (see the type's note on failures).
    ///
    /// - Important: Cancelling the calling task stops every task: sources are asked to stop and every
    ///   gate fails, so `run()` throws promptly.
    public func run() async throws {
        let firstError = FirstError()
        await withTaskCancellationHandler {
            await runTasks(firstError)
        } onCancel: {
            cancel()
        }
        if let e = firstError.error { throw e }
    }

    /// Stops every task as soon as it next reads or writes a channel: sources stop and every gate
    /// fails, so ``run()`` throws `CancellationError`. What task cancellation does; callable from
    /// any thread, also while every task of the job is busy.
    public func cancel() {
        aborted.request()
        stop.request()
        failAll()
    }

    private func runTasks(_ firstError: FirstError) async {
        await withTaskGroup(of: Void.self) { group in
            for stage in physical.stages {
                for subtask in 0..<stage.parallelism {
                    group.addTask {
                        do {
                            try await self.runTask(stage: stage.index, subtask: subtask)
                        } catch {
                            if firstError.record(error) { self.failAll() }
                        }
                    }
                }
            }
        }
    }

    func failAll() {
        for row in gates { for g in row { g?.fail() } }
    }

    // MARK: - One task

    func runTask(stage s: Int, subtask: Int) async throws {
        let stage = physical.stages[s]
        let task = try buildTask(stage: stage, subtask: subtask)
        if let gate = gates[s][subtask] {
            guard try await runGateTask(gate: gate, head: task.head!, stage: stage) == .finished else { return }
            let head = task.head!
            taskFinished(head.context.subtaskID, state: try await head.op.snapshotState(checkpoint: CheckpointBarrier.final, context: head.context))
        } else {
            let source = SubtaskID(node: stage.head, subtask: subtask)
            guard try await runSourceTask(reader: task.source!, outputs: task.headOutputs, task: source) == .finished else { return }
            taskFinished(source, state: task.source!.snapshotState(checkpoint: CheckpointBarrier.final))
        }
        for o in task.headOutputs { try await o.finalSnapshots(taskFinished) }
    }

    struct BuiltTask {
        var source: (any SourceReader)?
        var head: (op: any StreamOperator, context: OperatorContext)?
        /// The head node's outputs: main, then its side outputs (late, dead, fallback) when it has them.
        var headOutputs: [Output]
    }


    /// Instantiates every node of the stage for `subtask` and wires chained calls and outgoing edges.
    func buildTask(stage: PhysicalPlan.Stage, subtask: Int) throws -> BuiltTask {
        var mains: [NodeID: Output] = [:]
        var lates: [NodeID: Output] = [:]
        var deads: [NodeID: Output] = [:]
        var fallbacks: [NodeID: Output] = [:]
        func output(_ ref: InputRef) -> Output {
            switch ref.output {
            case .main: return mains[ref.node]!
            case .late: return lates[ref.node]!
            case .dead: return deads[ref.node]!
            case .fallback: return fallbacks[ref.node]!
            }
        }
        var contexts: [NodeID: OperatorContext] = [:]
        var ops: [NodeID: any StreamOperator] = [:]
        var source: (any SourceReader)?
        for id in stage.nodes {
            let node = plan.node(id)!
            let m = metrics[id]!
            let main = Output(metrics: m, subtask: subtask, aborted: aborted)
            let late = node.lateSchema != nil ? Output(metrics: nil, aborted: aborted) : nil
            let dead = node.deadSchema != nil ? Output(metrics: nil, aborted: aborted) : nil
            let fallback = node.fallbackSchema != nil ? Output(metrics: nil, aborted: aborted) : nil
            mains[id] = main
            lates[id] = late
            deads[id] = dead
            fallbacks[id] = fallback
            if case .source = node.kind {
                source = try factory.makeSource(node, subtask: subtask, stop: stop, metrics: m)
            } else {
                ops[id] = try factory.makeOperator(node, subtask: subtask)
                contexts[id] = OperatorContext(nodeID: id, subtask: subtask, parallelism: stage.parallelism, main: main, late: late,
                                                 dead: dead, fallback: fallback, metrics: m, maxParallelism: physical.maxParallelism)
            }
        }
        // Chained nodes: every node but the head reads exactly one node of this stage.
        for id in stage.nodes.dropFirst() {
            let node = plan.node(id)!
            let ref = node.inputs[0]
            output(ref).chained.append(Output.Chained(op: ops[id]!, context: contexts[id]!, metrics: metrics[id]!))
        }
        // Edges leaving this stage.
        for toStage in physical.stages {
            for (k, edge) in toStage.inputs.enumerated() where edge.fromStage == stage.index {
                let base = inputBase[toStage.index][k]
                let targets: [EdgeWriter.Target]
                if edge.partitioning == .forward {
                    targets = [EdgeWriter.Target(gate: gates[toStage.index][subtask]!, input: base)]
                } else {
                    targets = (0..<toStage.parallelism).map {
                        EdgeWriter.Target(gate: gates[toStage.index][$0]!, input: base + subtask)
                    }
                }
                let writer = EdgeWriter(targets: targets, partitioning: edge.partitioning,
                                        maxParallelism: physical.maxParallelism, subtask: subtask,
                                        backpressure: metrics[edge.from.node]!.backpressureNanos.subtask(subtask))
                output(edge.from).edges.append(writer)
            }
        }
        let headID = stage.head
        let head = ops[headID].map { ($0, contexts[headID]!) }
        let sides = [lates[headID], deads[headID], fallbacks[headID]].compactMap { $0 }
        return BuiltTask(source: source, head: head, headOutputs: [mains[headID]!] + sides)
    }

    /// How a task ended: its input finished (it finished its operators), or it stopped at a checkpoint.
    enum TaskEnd { case finished, suspended }

    /// - Parameter outputs: the source's main output, then its dead-letter output when it has one.
    func runSourceTask(reader: any SourceReader, outputs: [Output], task: SubtaskID) async throws -> TaskEnd {
        let output = outputs[0]
        let dead = outputs.count > 1 ? outputs[1] : nil
        var injected = options.lastCheckpointID
        let ack = { (t: SubtaskID, state: SnapshotPayload?) in self.acknowledge(injected, t, state: state) }
        while true {
            // Between two outputs: inject the barrier of a newly triggered checkpoint.
            let suspendAt = CheckpointID(checkpoints.suspendAt.load(ordering: .acquiring))
            let requested = CheckpointID(checkpoints.requested.load(ordering: .acquiring))
            if requested > injected {
                injected = requested
                ack(task, reader.snapshotState(checkpoint: requested))
                for o in outputs { try await o.emitBarrier(requested, ack: ack) }
            }
            if suspendAt > 0 && injected >= suspendAt {
                for o in outputs { try await o.suspend() }
                return .suspended
            }
            guard let item = try await reader.next() else {
                // A stop at a checkpoint makes readers return nil: go back and inject its barrier.
                if checkpoints.suspendAt.load(ordering: .acquiring) > 0 { continue }
                break
            }
            switch item {
            case .records(let b): try await output.emit(b)
            case .recordsAndDeadLetters(let b, let letters):
                guard let dead else { preconditionFailure("dead letters from a source without a dead-letter output") }
                try await dead.emit(letters)
                try await output.emit(b)
            case .watermark(let w): try await output.emitWatermark(w)
            case .idle: try await output.emitIdle()
            case .pending: continue
            }
        }
        for o in outputs {
            try await o.emitWatermark(Watermark.max)
            try await o.finish()
        }
        return .finished
    }

    func runGateTask(gate: InputGate, head: (op: any StreamOperator, context: OperatorContext), stage: PhysicalPlan.Stage) async throws -> TaskEnd {
        var suspended = false
        let inMetrics = metrics[stage.head]!
        var tracker = WatermarkTracker(inputs: gate.inputCount)
        var aligner = BarrierAligner(inputs: gate.inputCount)
        func perform(_ actions: [BarrierAligner.Action]) async throws {
            for a in actions {
                switch a {
                case .block(let i):
                    gate.block(input: i)
                case .abandoned(_, let unblock):
                    gate.unblock(unblock)
                case .aligned(let id, let unblock):
                    let ack = { (t: SubtaskID, state: SnapshotPayload?) in self.acknowledge(id, t, state: state) }
                    ack(head.context.subtaskID, try await head.op.snapshotState(checkpoint: id, context: head.context))
                    for o in head.context.outputs { try await o.emitBarrier(id, ack: ack) }
                    gate.unblock(unblock)
                }
            }
        }
        while let (input, element) = try await gate.next() {
            switch element {
            case .records(let b):
                tracker.activate(input: input)
                inMetrics.recordsIn.add(b.count)
                try await head.op.process(b, context: head.context)
            case .watermark(let w):
                if let advanced = tracker.update(input: input, watermark: w) {
                    try await head.op.processWatermark(advanced, context: head.context)
                }
            case .idle:
                switch tracker.idle(input: input) {
                case .advanced(let w): try await head.op.processWatermark(w, context: head.context)
                case .allIdle: try await head.context.main.emitIdle()
                case .unchanged: break
                }
            case .barrier(let b):
                try await perform(aligner.barrier(b.id, input: input))
            case .endOfInput:
                if let advanced = tracker.end(input: input) {
                    try await head.op.processWatermark(advanced, context: head.context)
                }
                try await perform(aligner.endOfInput(input))
            case .suspend:
                suspended = true
                try await perform(aligner.endOfInput(input))
            }
        }
        if suspended {
            for o in head.context.outputs { try await o.suspend() }
            return .suspended
        }
        try await head.op.finish(context: head.context)
        for o in head.context.outputs { try await o.finish() }
        return .finished
    }
}

/// The error that failed a job: the first one, unless it was only a cancellation caused by another.
final class FirstError: Sendable {
    private let state = Mutex<(any Error)?>(nil)

    /// Records `error`; returns true when it is the job's first real failure.
    func record(_ error: any Error) -> Bool {
        state.withLock { e in
            if e == nil || (e is CancellationError && !(error is CancellationError)) {
                let first = e == nil
                e = error
                return first
            }
            return false
        }
    }

    var error: (any Error)? { state.withLock { $0 } }
}

/// The runner's checkpoint bookkeeping, shared by all tasks.
final class CheckpointState: Sendable {
    let tracker: Mutex<CheckpointTracker>
    /// The newest triggered checkpoint id; source tasks inject a barrier when it passes theirs.
    let requested = Atomic<Int64>(0)
    /// The checkpoint the job stops at (``JobRunner/stopWithCheckpoint()``); 0 while running.
    let suspendAt = Atomic<Int64>(0)

    init(tracker: CheckpointTracker) { self.tracker = Mutex(tracker) }
}
