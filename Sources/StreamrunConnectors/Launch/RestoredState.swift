import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan

/// The checkpoint a job resumes from: its id, when it was taken, and every operator's state files.
struct RestoredState: Sendable {
    var checkpointID: Int64
    var timestampMs: Int64
    /// Operator id → its snapshots (one per old subtask).
    var snapshots: [String: [OperatorSnapshot]]
    var warnings: [String]

    /// The newest valid checkpoint in `store`, checked against `plan`; nil when there is none.
    ///
    /// As in Flink: an operator of the job that the checkpoint does not know starts empty; an
    /// operator of the checkpoint that the job no longer has is refused if it holds state, and
    /// dropped with a warning if it holds none (a filter or a map); a changed type is refused.
    static func load(_ store: CheckpointStore, plan: JobPlan) throws(StreamrunError) -> RestoredState? {
        let selection = try store.newestValid()
        guard let m = selection.manifest else {
            if selection.warnings.isEmpty { return nil }
            throw StreamrunError(.readFailed, "no valid checkpoint in \(store.paths.root): " + selection.warnings.joined(separator: "; "))
        }
        var warnings = selection.warnings
        var removed: Set<String> = []
        for op in m.operators {
            guard let node = plan.node(op.id) else {
                let stateless = try store.readStateFiles(m, operator: op.id).allSatisfy { $0.keyGroups.isEmpty && $0.named.isEmpty }
                if stateless {
                    warnings.append("checkpoint \(m.checkpointID) has operator \"\(op.id)\" (\(op.type)), which job.json no longer has; "
                        + "it holds no state, so it is dropped")
                    removed.insert(op.id)
                    continue
                }
                throw StreamrunError(.invalidJob, "checkpoint \(m.checkpointID) holds state of operator \"\(op.id)\", which job.json no "
                    + "longer has; restore it with the operator, or start over with --fresh")
            }
            if node.typeName != op.type {
                throw StreamrunError(.invalidJob, "operator \"\(op.id)\" was a \(op.type) in checkpoint \(m.checkpointID) and is a "
                    + "\(node.typeName) now; its state cannot be restored (start over with --fresh)", location: node.jsonPath)
            }
            if op.maxParallelism != plan.spec.maxParallelism {
                throw StreamrunError(.invalidJob, "checkpoint \(m.checkpointID) was taken with maxParallelism \(op.maxParallelism), "
                    + "job.json says \(plan.spec.maxParallelism); key groups cannot change", location: "maxParallelism")
            }
        }
        var snapshots: [String: [OperatorSnapshot]] = [:]
        for op in m.operators where !removed.contains(op.id) { snapshots[op.id] = try store.readStateFiles(m, operator: op.id) }
        return RestoredState(checkpointID: m.checkpointID, timestampMs: m.timestampMs, snapshots: snapshots, warnings: warnings)
    }

    func named(_ node: String) -> [[String: [UInt8]]] { (snapshots[node] ?? []).map(\.named) }

    func snapshot(_ node: String, subtask: Int) -> OperatorSnapshot? {
        snapshots[node]?.first { $0.subtask == subtask }
    }
}
