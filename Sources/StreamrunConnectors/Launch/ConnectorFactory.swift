import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Builds the built-in sources, operators and sinks for each subtask.
struct ConnectorFactory: OperatorFactory {
    let committer: FileCommitter
    /// The checkpoint this run resumes from, if any.
    var restore: RestoredState?

    func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag) throws -> any SourceReader {
        guard case .source(let spec) = node.kind else { throw internalError(node) }
        switch spec.kind {
        case .file:
            let old = restore?.snapshot(node.id, subtask: subtask)
            let cursor = old?.parallelism == node.parallelism ? try SplitState.decodeCursor(old?.named[SplitState.cursorSection]) : nil
            return try FileSourceReader(spec: spec, subtask: subtask, parallelism: node.parallelism, stop: stop,
                                        restore: try restoredSplits(node), cursor: cursor) {
                RecordDecoders.make(for: spec)
            }
        case .generator:
            return GeneratorSourceReader(spec: spec, subtask: subtask, parallelism: node.parallelism, stop: stop,
                                         restore: try restoredSplits(node))
        }
    }

    func makeOperator(_ node: PlanNode, subtask: Int) throws -> any StreamOperator {
        switch node.kind {
        case .filter(let predicate):
            return FilterOperator(predicate: predicate)
        case .map(let program):
            return MapOperator(program: program)
        case .sink(let sink):
            let encoder = SinkEncoding(sink: sink, schema: node.inputSchema!)
            switch sink.spec.kind {
            case .stdout:
                return StdoutSinkOperator(encoder: encoder)
            case .file:
                let names = PartFileNames(root: sink.spec.path ?? ".", sinkID: node.id, subtask: subtask,
                                          fileExtension: encoder.fileExtension, partitionKey: sink.spec.partitionKey)
                let op = FileSinkOperator(names: names, encoder: encoder, partition: sink.partition,
                                          rollBytes: sink.spec.rollBytes, committer: committer)
                if let snapshots = restore?.snapshots[node.id] {
                    var states: [SinkState] = []
                    for s in snapshots { states.append(try SinkState(payload: s.named, subtask: s.subtask)) }
                    op.restoredSequences = SinkState.mergedSequences(states)
                }
                return op
            }
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
        guard let restore, let snapshots = restore.snapshots[node.id], !snapshots.isEmpty,
              let restorable = op as? any RestorableOperator
        else { return op }
        let maxParallelism = snapshots[0].maxParallelism
        let range = KeyGroups.range(subtask: subtask, maxParallelism: maxParallelism, parallelism: node.parallelism)
        try restorable.restoreState(keyGroups: try OperatorSnapshot.keyGroups(snapshots, in: range),
                                    named: snapshots.sorted { $0.subtask < $1.subtask }.map(\.named),
                                    maxParallelism: maxParallelism)
        return op
    }

    private func restoredSplits(_ node: PlanNode) throws(StreamrunError) -> [SplitState]? {
        guard let restore, restore.snapshots[node.id] != nil else { return nil }
        return try SplitState.union(restore.named(node.id))
    }

    private func internalError(_ node: PlanNode) -> StreamrunError {
        StreamrunError(.internalError, "no runtime implementation for \(node.typeName) \"\(node.id)\"", retry: .internal)
    }
}
