import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan

/// Puts a file sink's directory back to the state of the checkpoint a job resumes from, before any
/// task runs: the checkpoint's pending files are published (again — idempotent), and every file of
/// this sink written after it is removed: hidden in-progress or pending files, and part files whose
/// sequence number lies beyond the checkpoint's (published by a later checkpoint that could not be
/// restored). The resumed run then writes the same names again.
enum SinkRecovery {
    static func prepare(sink node: PlanNode, spec: SinkSpec, fileExtension: String, restored: RestoredState,
                        committer: FileCommitter) throws(StreamrunError) {
        var states: [SinkState] = []
        for snapshot in restored.snapshots[node.id] ?? [] {
            let state = try SinkState(payload: snapshot.named, subtask: snapshot.subtask)
            // A file under neither name is not something a retry can fix: the output was changed.
            try committer.commit(state.pending) { gone in
                StreamrunError(
                    .writeFailed,
                    "sink \"\(node.id)\": \(gone.final) is missing (and so is its pending file): the output was changed "
                        + "after checkpoint \(restored.checkpointID) was taken. Put the output back, or start over with --fresh",
                    retry: .user, location: spec.path ?? node.id)
            }
            states.append(state)
        }
        let sequences = SinkState.mergedSequences(states)
        guard let root = spec.path, FileIO.isDirectory(root) else { return }
        for (dir, name) in files(root) {
            let rel = dir == root ? "" : String(dir.dropFirst(root.count + 1))
            if name.hasPrefix(".part-\(node.id)-") && name.hasSuffix(".inprogress") {
                Posix.unlink(dir + "/" + name)
            } else if let (subtask, seq) = PartFileNames.parse(name, sinkID: node.id, fileExtension: fileExtension),
                      seq >= sequences[subtask]?[rel] ?? 0 {
                Posix.unlink(dir + "/" + name)
            }
        }
    }

    /// (directory, file name) of every file below `root`.
    static func files(_ root: String) -> [(String, String)] {
        var out: [(String, String)] = []
        for name in Posix.list(root).sorted() {
            let p = root + "/" + name
            if FileIO.isDirectory(p) { out += files(p) } else { out.append((root, name)) }
        }
        return out
    }
}
