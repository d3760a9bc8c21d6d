import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// The connectors of one run of a job: builds each subtask's source reader, operator or sink writer,
/// and holds the job-level half of every sink (``TwoPhaseCommitSink``), which the launcher and the
/// checkpoint coordinator drive.
public struct ConnectorFactory: OperatorFactory {
    public let plan: JobPlan
    /// Operator id → its snapshots (one per old subtask) in the checkpoint this run resumes from.
    public let restore: [NodeID: [OperatorSnapshot]]?
    /// Every sink of the job, in plan order.
    public let sinks: [any TwoPhaseCommitSink]
    /// How the subtasks of each rate-limited source share its `maxRecordsPerSecond`.
    let rateBudgets = SourceRateBudgets()
    /// The sinks' breakers and retry counts (the job's, kept across restarts).
    public let health: SinkHealth
    /// Told of source retries, fallback switches, degradation and rejoining (the launcher logs
    /// them and sends alerts); nil: nobody is told.
    public var observer: SourceObserver?

    /// - Parameter overwrite: sinks replace the output of an earlier run at their first commit
    ///   instead of refusing to start (`--overwrite`).
    /// - Parameter health: the job's sink health, shared by its attempts; a new one when nil.
    public init(plan: JobPlan, restore: [NodeID: [OperatorSnapshot]]? = nil, overwrite: Bool = false, health: SinkHealth? = nil) {
        self.plan = plan
        self.restore = restore
        self.health = health ?? SinkHealth(plan: plan)
        if !plan.spec.faults.isEmpty { _ = FaultCounters.shared.elapsedMs }  // starts the faults' clock
        sinks = plan.nodes.compactMap { node -> (any TwoPhaseCommitSink)? in
            guard case .sink(let sink) = node.kind else { return nil }
            let made: any TwoPhaseCommitSink
            switch sink.spec.kind {
            case .file: made = FileSink(id: node.id, plan: sink, schema: node.inputSchema!, overwrite: overwrite)
            case .stdout: made = StdoutSink(id: node.id, plan: sink, schema: node.inputSchema!)
            }
            let faults = FaultWindow.windows(plan, node: node.id.name, kind: .failCommits)
            return faults.isEmpty ? made : FaultInjectingSink(made, faults: faults)
        }
    }


    /// Fails before any record moves when a source's input is missing or a sink's destination
    /// cannot be written. A source with a fallback needs one of its two paths; an optional source
    /// none (it starts degraded).
    public func preflight() throws(StreamrunError) {
        for node in plan.nodes {
            if case .source(let s) = node.kind, s.kind == .file, !s.optional {
                do {
                    _ = try FileSplits.files(s.path ?? "", jsonPath: s.jsonPath + ".path")
                } catch {
                    guard let f = fallbackSpec(of: s), (try? FileSplits.files(f.path ?? "", jsonPath: f.jsonPath)) != nil else { throw error }
                }
            }
        }
        for sink in sinks { try sink.preflight() }
    }

    public func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag) throws -> any SourceReader {
        try makeSource(node, subtask: subtask, stop: stop, metrics: nil)
    }

    public func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag, metrics: NodeMetrics) throws -> any SourceReader {
        try makeSource(node, subtask: subtask, stop: stop, metrics: Optional(metrics))
    }

    func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag, metrics: NodeMetrics?) throws -> any SourceReader {
        guard case .source(let spec) = node.kind else { throw internalError(node) }
        let fallback = fallbackSpec(of: spec)
        var faults: [SourceFailover.Side: [FaultWindow]] = [.primary: FaultWindow.windows(plan, node: spec.id, kind: .failReads)]
        if let fallback { faults[.fallback] = FaultWindow.windows(plan, node: fallback.id, kind: .failReads) }
        switch spec.kind {
        case .file:
            let old = restore?[node.id]?.first { $0.subtask == subtask }
            let cursor = old?.parallelism == node.parallelism ? try SplitState.decodeCursor(old?.named[SplitState.cursorSection]) : nil
            let (splits, side, relist) = try restoredFileSplits(node, spec: spec, fallback: fallback)
            let failover = SourceFailover(spec: spec, fallback: fallback, subtask: subtask, side: side, faults: faults,
                                          metrics: metrics, observer: observer)
            return try FileSourceReader(spec: spec, subtask: subtask, parallelism: node.parallelism, stop: stop,
                                        restore: splits, cursor: cursor, relist: relist, rateBudgets: rateBudgets,
                                        metrics: metrics, failover: failover) {
                RecordDecoders.make(for: spec)
            }
        case .generator:
            let failover = SourceFailover(spec: spec, fallback: nil, subtask: subtask, side: .primary, faults: faults,
                                          metrics: metrics, observer: observer)
            return GeneratorSourceReader(spec: spec, subtask: subtask, parallelism: node.parallelism, stop: stop,
                                         restore: try restoredSplits(node), rateBudgets: rateBudgets, failover: failover)
        }
    }

    /// The standby source `spec` falls back to (its paths resolved like every source's).
    func fallbackSpec(of spec: SourceSpec) -> SourceSpec? {
        spec.fallback.flatMap { id in plan.spec.sources.first { $0.id == id } }
    }

    /// A file source's splits in the checkpoint, named under the root of the side it continues on
    /// (the fallback when any old subtask had switched), and whether to list the files again (an
    /// old subtask had not listed them yet).
    private func restoredFileSplits(_ node: PlanNode, spec: SourceSpec, fallback: SourceSpec?)
        throws(StreamrunError) -> (splits: [SplitState]?, side: SourceFailover.Side, relist: Bool) {
        guard let snapshots = restore?[node.id] else { return (nil, .primary, false) }
        var sides: [SourceSideState] = []
        for s in snapshots { sides.append(try SourceSideState.decode(s.named[SourceSideState.section])) }
        let side: SourceFailover.Side = fallback != nil && sides.contains { $0.side == .fallback } ? .fallback : .primary
        let roots: [SourceFailover.Side: SourceRoot] = [.primary: SourceRoot(path: spec.path ?? ""),
                                                        .fallback: SourceRoot(path: fallback?.path ?? spec.path ?? "")]
        var all: [SplitState] = []
        for (snapshot, old) in zip(snapshots, sides) {
            guard let bytes = snapshot.named[SplitState.section] else { continue }
            for var split in try SplitState.decode(bytes) {
                split.path = roots[side]!.absolute(roots[old.side]!.relative(split.path))
                all.append(split)
            }
        }
        return (all.sorted { $0.index < $1.index }, side, sides.contains { !$0.listed })
    }

    /// The one source `node` reads from, through any operators; nil when it reads several.
    func upstreamSource(_ node: PlanNode) -> String? {
        var found: Set<NodeID> = []
        var todo = node.inputs.map(\.node)
        var seen: Set<NodeID> = []
        while let id = todo.popLast() {
            guard seen.insert(id).inserted, let n = plan.node(id) else { continue }
            if case .source = n.kind { found.insert(id) } else { todo += n.inputs.map(\.node) }
        }
        return found.count == 1 ? found.first!.name : nil
    }

    public func makeOperator(_ node: PlanNode, subtask: Int) throws -> any StreamOperator {
        var op = try makeOperatorItself(node, subtask: subtask)
        if case .sink = node.kind {
            op = GuardedSinkWriter(op, sink: node.id, health: health,
                                   faults: FaultWindow.windows(plan, node: node.id.name, kind: .failWrites))
        }
        let faults = FaultWindow.windows(plan, node: node.id.name, kind: .failRecord)
            + FaultWindow.windows(plan, node: node.id.name, kind: .failCheckpoint)
        return faults.isEmpty ? op : FaultInjectingOperator(op, faults: faults)
    }

    func makeOperatorItself(_ node: PlanNode, subtask: Int) throws -> any StreamOperator {
        switch node.kind {
        case .filter(let predicate):
            return FilterOperator(predicate: predicate)
        case .map(let program):
            return MapOperator(program: program, inputSchema: node.inputSchema ?? Schema([]), source: upstreamSource(node))
        case .sink:
            guard let sink = sinks.first(where: { $0.id == node.id }) else { throw internalError(node) }
            return try sink.makeWriter(subtask: subtask, parallelism: node.parallelism)
        case .window(let plan):
            return try restored(try WindowOperators.make(node: node, plan: plan), node, subtask)
        case .dedupe(let plan):
            return try restored(try DedupeOperators.make(node: node, plan: plan), node, subtask)
        case .source:
            throw internalError(node)
        }
    }

    /// Gives a keyed operator its key groups (and every old subtask's named state) from the checkpoint.
    private func restored(_ op: any StreamOperator, _ node: PlanNode, _ subtask: Int) throws(StreamrunError) -> any StreamOperator {
        guard let snapshots = restore?[node.id], !snapshots.isEmpty, let restorable = op as? any RestorableOperator else { return op }
        let maxParallelism = snapshots[0].maxParallelism
        let range = KeyGroups.range(subtask: subtask, maxParallelism: maxParallelism, parallelism: node.parallelism)
        try restorable.restoreState(keyGroups: try OperatorSnapshot.keyGroups(snapshots, in: range),
                                    named: snapshots.sorted { $0.subtask < $1.subtask }.map(\.named),
                                    maxParallelism: maxParallelism)
        return op
    }

    private func restoredSplits(_ node: PlanNode) throws(StreamrunError) -> [SplitState]? {
        guard let snapshots = restore?[node.id] else { return nil }
        return try SplitState.union(snapshots.map(\.named))
    }

    private func internalError(_ node: PlanNode) -> StreamrunError {
        StreamrunError(.internalError, "no runtime implementation for \(node.typeName) \"\(node.id)\"", retry: .internal)
    }
}
