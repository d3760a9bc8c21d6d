import StreamrunCore
import StreamrunPlan

/// Builds the per-subtask instances of sources, operators and sinks (implemented by the connectors layer).
///
/// Called inside each task, so instances never cross tasks.
public protocol OperatorFactory: Sendable {
    func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag) throws -> any SourceReader
    /// The same, with the node's counters (a source counts the bad records it dead-letters or skips there).
    func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag, metrics: NodeMetrics) throws -> any SourceReader
    func makeOperator(_ node: PlanNode, subtask: Int) throws -> any StreamOperator
}

extension OperatorFactory {
    public func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag, metrics: NodeMetrics) throws -> any SourceReader {
        try makeSource(node, subtask: subtask, stop: stop)
    }
}
