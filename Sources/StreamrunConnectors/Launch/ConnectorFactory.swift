import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Builds the built-in sources, operators and sinks for each subtask.
struct ConnectorFactory: OperatorFactory {
    let committer: FileCommitter

    func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag) throws -> any SourceReader {
        guard case .source(let spec) = node.kind else { throw internalError(node) }
        switch spec.kind {
        case .file:
            return try FileSourceReader(spec: spec, subtask: subtask, parallelism: node.parallelism, stop: stop) {
                RecordDecoders.make(for: spec)
            }
        case .generator:
            return GeneratorSourceReader(spec: spec, subtask: subtask, parallelism: node.parallelism, stop: stop)
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
                return FileSinkOperator(names: names, encoder: encoder, partition: sink.partition,
                                        rollBytes: sink.spec.rollBytes, committer: committer)
            }
        case .window, .dedupe:
            throw StreamrunError(.invalidJob, "\"\(node.id)\" is a \(node.typeName) operator, which this version validates but cannot run yet",
                                 location: node.jsonPath)
        case .source:
            throw internalError(node)
        }
    }

    private func internalError(_ node: PlanNode) -> StreamrunError {
        StreamrunError(.internalError, "no runtime implementation for \(node.typeName) \"\(node.id)\"", retry: .internal)
    }
}
