import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// A sink whose commits fail while a `fail-commits` fault is in force (`"faults"`, `--allow-faults`);
/// everything else goes to the sink it wraps.
final class FaultInjectingSink: TwoPhaseCommitSink {
    let inner: any TwoPhaseCommitSink
    let faults: [FaultWindow]

    init(_ inner: any TwoPhaseCommitSink, faults: [FaultWindow]) {
        self.inner = inner
        self.faults = faults
    }

    var id: NodeID { inner.id }
    var committed: (count: Int, unit: String) { inner.committed }
    func preflight() throws(StreamrunError) { try inner.preflight() }
    func startFresh(_ reason: FreshStart) throws(StreamrunError) { try inner.startFresh(reason) }
    func recover(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError) {
        try inner.recover(prepared, checkpoint: checkpoint)
    }
    func makeWriter(subtask: Int, parallelism: Int) throws(StreamrunError) -> any StreamOperator {
        try inner.makeWriter(subtask: subtask, parallelism: parallelism)
    }
    func abort() { inner.abort() }

    func commit(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError) {
        for f in faults where f.firesNow() { throw f.error("committing checkpoint \(checkpoint)") }
        try inner.commit(prepared, checkpoint: checkpoint)
    }
}
