import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// The `stdout` sink: every batch is written to standard output as it arrives. Output cannot be
/// taken back, so there is nothing to prepare, commit or abort: at least once, for looking at a
/// job's output, not for exactly-once delivery.
public final class StdoutSink: TwoPhaseCommitSink {
    public let id: NodeID
    let plan: SinkPlan
    let schema: Schema
    let output = StandardOutput.shared

    public init(id: NodeID, plan: SinkPlan, schema: Schema) {
        self.id = id
        self.plan = plan
        self.schema = schema
    }

    public func preflight() throws(StreamrunError) {}
    public func startFresh(_ reason: FreshStart) throws(StreamrunError) {}
    public func recover(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError) {}

    public func makeWriter(subtask: Int, parallelism: Int) throws(StreamrunError) -> any StreamOperator {
        StdoutSinkWriter(id: id, encoder: SinkEncoding(sink: plan, schema: schema), output: output)
    }

    public func commit(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError) {}
    public func abort() {}
    public var committed: (count: Int, unit: String) { (0, "file") }
}
