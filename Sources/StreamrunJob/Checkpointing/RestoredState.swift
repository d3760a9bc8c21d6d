import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime

/// The checkpoint or savepoint a job resumes from: its id, when it was taken, and every operator's
/// state files, matched to the job's operators by id (Flink's uid matching).
///
/// Rules: an operator of the job that the checkpoint lacks starts empty; an operator of the
/// checkpoint that holds state and that the job lacks is refused, naming it, unless
/// `allowNonRestoredState` (then its state is dropped with a warning); an operator whose type
/// changed, or a different `maxParallelism` (number of key groups), is refused. Parallelism may
/// change: key groups and source splits are redistributed.
struct RestoredState: Sendable {
    var checkpointID: CheckpointID
    var timestampMs: Int64
    /// Operator id → its snapshots (one per old subtask).
    var snapshots: [NodeID: [OperatorSnapshot]]
    var warnings: [String]
    /// Where it was read from (a `chk-` or `sp-` directory).
    var directory: String
    /// What happens to each operator, for `streamrun restore --check` and the resume message.
    var report: [RestoreReport.Line] = []

    /// The newest valid checkpoint in `store`, checked against `plan`; nil when there is none.
    static func load(_ store: CheckpointStore, plan: JobPlan, allowNonRestoredState: Bool = false) throws(StreamrunError) -> RestoredState? {
        let selection = try store.newestValid()
        guard let m = selection.manifest else {
            if selection.warnings.isEmpty { return nil }
            throw StreamrunError(.readFailed, "no valid checkpoint in \(store.paths.root): " + selection.warnings.joined(separator: "; "))
        }
        return try restore(m, from: store, plan: plan, allowNonRestoredState: allowNonRestoredState, warnings: selection.warnings)
    }

    /// One checkpoint or savepoint directory (`…/chk-000017`, `…/sp-000003`), verified, checked against `plan`.
    static func load(directory: String, plan: JobPlan, allowNonRestoredState: Bool = false) throws(StreamrunError) -> RestoredState {
        guard let (paths, id) = CheckpointPaths.containing(directory) else {
            throw StreamrunError(.usage, "\(directory) is not a checkpoint or savepoint directory (its name must be chk-NNNNNN or sp-NNNNNN)")
        }
        let store = CheckpointStore(paths: paths)
        guard FileIO.exists(paths.manifest(id)) else {
            throw StreamrunError(.usage, "\(directory) has no \(CheckpointPaths.manifestName): it is not a complete checkpoint or savepoint")
        }
        let problems = try store.verify(id).problems
        if !problems.isEmpty {
            throw StreamrunError(.checkpointCorrupt, "\(directory) cannot be restored: " + problems.joined(separator: "; "))
        }
        return try restore(try store.readManifest(id), from: store, plan: plan, allowNonRestoredState: allowNonRestoredState, warnings: [])
    }

    private static func restore(_ m: CheckpointManifest, from store: CheckpointStore, plan: JobPlan, allowNonRestoredState: Bool,
                                warnings: [String]) throws(StreamrunError) -> RestoredState {
        let where_ = store.paths.directory(m.checkpointID)
        var snapshots: [NodeID: [OperatorSnapshot]] = [:]
        var report: [RestoreReport.Line] = []
        var warnings = warnings
        for op in m.operators {
            let states = try store.readStateFiles(m, operator: op.id)
            let holdsState = states.contains { !$0.keyGroups.isEmpty || !$0.named.isEmpty }
            guard let node = plan.node(NodeID(op.id)) else {
                guard holdsState else {
                    warnings.append("\(where_) has \(op.type) \"\(op.id)\", which job.json no longer has; it holds no state, so it is dropped")
                    report.append(.init(id: op.id, type: op.type, action: .dropped, detail: "no state"))
                    continue
                }
                guard allowNonRestoredState else {
                    throw StreamrunError(.invalidJob, "\(where_) holds state of \(op.type) \"\(op.id)\", which job.json no longer has; "
                        + "add it back with the same id, or pass --allow-non-restored-state to drop its state")
                }
                warnings.append("dropping the state of \(op.type) \"\(op.id)\", which job.json no longer has (--allow-non-restored-state)")
                report.append(.init(id: op.id, type: op.type, action: .dropped, detail: "state dropped (--allow-non-restored-state)"))
                continue
            }
            if node.typeName != op.type {
                throw StreamrunError(.invalidJob, "operator \"\(op.id)\" was a \(op.type) in \(where_) and is a \(node.typeName) now; "
                    + "its state cannot be restored (give the new operator another id, or start over with --fresh)", location: node.jsonPath)
            }
            if op.maxParallelism != plan.spec.maxParallelism {
                throw StreamrunError(.invalidJob, "\(where_) was taken with maxParallelism \(op.maxParallelism), job.json says "
                    + "\(plan.spec.maxParallelism); the number of key groups cannot change", location: "maxParallelism")
            }
            snapshots[node.id] = states
            let rescale = op.parallelism == node.parallelism ? "" : ", parallelism \(op.parallelism) → \(node.parallelism)"
            report.append(.init(id: op.id, type: op.type, action: .restored,
                                detail: "\(states.count) state file\(states.count == 1 ? "" : "s")\(rescale)"))
        }
        for node in plan.nodes where snapshots[node.id] == nil && !m.operators.contains(where: { $0.id == node.id.name }) {
            report.append(.init(id: node.id.name, type: node.typeName, action: .fresh, detail: "not in the checkpoint: starts empty"))
        }
        return RestoredState(checkpointID: m.checkpointID, timestampMs: m.timestampMs, snapshots: snapshots, warnings: warnings,
                             directory: where_, report: report)
    }

    /// What the writers of sink `node` prepared for this checkpoint, for its ``TwoPhaseCommitSink/recover(_:checkpoint:)``.
    func prepared(_ node: NodeID) -> [PreparedCommit] {
        (snapshots[node] ?? []).map { PreparedCommit(subtask: $0.subtask, state: SnapshotPayload(keyGroups: $0.keyGroups, named: $0.named)) }
    }
}

/// What restoring a checkpoint into a job does to each operator (`streamrun restore --check`).
public struct RestoreReport: Sendable, CustomStringConvertible {
    public struct Line: Sendable, Hashable {
        public enum Action: String, Sendable { case restored, fresh, dropped }
        public var id: String
        public var type: String
        public var action: Action
        public var detail: String
    }

    public var checkpointID: CheckpointID
    public var directory: String
    public var lines: [Line]
    public var warnings: [String]

    public var description: String {
        var out = ["restoring \(directory) (checkpoint \(checkpointID)):"]
        let width = lines.map { $0.id.count + $0.type.count + 3 }.max() ?? 0
        for l in lines {
            let name = "\(l.id) (\(l.type))"
            out.append("  " + l.action.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                + name.padding(toLength: width + 1, withPad: " ", startingAt: 0) + l.detail)
        }
        for w in warnings { out.append("warning: \(w)") }
        return out.joined(separator: "\n")
    }

    /// What restoring `directory` (a checkpoint or savepoint directory, or a checkpoints directory,
    /// whose newest valid checkpoint is used) into `plan` would do, without running anything.
    /// Throws the same errors a run would.
    public static func check(plan: JobPlan, directory: String, allowNonRestoredState: Bool) throws(StreamrunError) -> RestoreReport {
        let r: RestoredState
        if CheckpointPaths.containing(directory) != nil {
            r = try RestoredState.load(directory: directory, plan: plan, allowNonRestoredState: allowNonRestoredState)
        } else {
            guard let newest = try RestoredState.load(CheckpointStore(root: directory), plan: plan, allowNonRestoredState: allowNonRestoredState)
            else { throw StreamrunError(.usage, "\(directory) holds no checkpoint") }
            r = newest
        }
        return RestoreReport(checkpointID: r.checkpointID, directory: r.directory, lines: r.report, warnings: r.warnings)
    }
}
