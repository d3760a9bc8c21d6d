import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan

/// `streamrun savepoint --from-checkpoint`: a savepoint made from a stopped job's newest valid
/// checkpoint — its state files and manifest copied (checksums verified first) into
/// `<root>/sp-<id>`, state files first and the manifest last, so it exists only once complete.
public enum SavepointCopy {
    public static func fromNewestCheckpoint(plan: JobPlan, root: String) throws(StreamrunError) -> String {
        guard let spec = plan.spec.checkpoints else {
            throw StreamrunError(.usage, "job \"\(plan.spec.name)\" has no checkpoints section, so it has no checkpoint to copy", location: "checkpoints")
        }
        let store = CheckpointStore(root: spec.dir)
        let selection = try store.newestValid()
        guard let m = selection.manifest else {
            throw StreamrunError(.usage, "no valid checkpoint in \(spec.dir)"
                + (selection.warnings.isEmpty ? "" : ": " + selection.warnings.joined(separator: "; ")))
        }
        return try store.copy(m.checkpointID, to: CheckpointStore(root: root, prefix: CheckpointPaths.savepointPrefix))
    }
}
