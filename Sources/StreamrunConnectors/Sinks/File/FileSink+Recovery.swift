import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunRuntime

extension FileSink {
    /// Puts the sink's directory back to the state of the checkpoint a job resumes from, before any
    /// task runs: the checkpoint's pending files are published (again — idempotent), and every file
    /// of this sink written after it is removed: in-progress or pending files, and part files whose
    /// sequence number lies beyond the checkpoint's (published by a later checkpoint that could not
    /// be restored). The resumed run then writes the same names again. Only files of this run's tag
    /// are touched (``PartFileNames``).
    public func recover(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError) {
        var states: [FileSinkState] = []
        for p in prepared {
            let state = try FileSinkState(payload: p.state.named, subtask: p.subtask)
            // A file under neither name is not something a retry can fix: the output was changed.
            try committer.commit(state.pending, through: checkpoint) { gone in
                StreamrunError(
                    .writeFailed,
                    "sink \"\(id)\": \(gone.final) is missing (and so is its pending file): the output was changed "
                        + "after checkpoint \(checkpoint) was taken. Put the output back, or start over with --fresh",
                    retry: .user, location: plan.spec.path ?? id.name)
            }
            states.append(state)
        }
        let sequences = FileSinkState.mergedSequences(states)
        setRestoredSequences(sequences)
        guard FileIO.isDirectory(root) else { return }
        for (dir, name) in FileIO.files(below: root) {
            let rel = dir == root ? "" : String(dir.dropFirst(root.count + 1))
            if PartFileNames.parseInProgress(name, sinkID: id.name, tag: tag) != nil {
                FileIO.unlink(dir + "/" + name)
            } else if let (subtask, seq) = PartFileNames.parse(name, sinkID: id.name, tag: tag, fileExtension: fileExtension),
                      seq >= sequences[subtask]?[rel] ?? 0 {
                FileIO.unlink(dir + "/" + name)
            }
        }
    }
}
