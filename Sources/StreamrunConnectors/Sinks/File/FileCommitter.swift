import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import Synchronization

/// Publishes a file sink's pending files, and tracks every file its writers have open or pending so
/// that a failed run can remove them.
///
/// A file is written under its hidden in-progress name, fsynced and closed (it is then *pending*);
/// ``commit(_:missing:)`` renames pending files to their final names and fsyncs each directory once.
/// Renaming is idempotent: committing a file whose final name already holds it is a no-op.
/// ``abortAll()`` removes in-progress and pending files, so a failed run leaves no partial output.
final class FileCommitter: Sendable {
    struct Pending: Sendable, Hashable {
        var inProgress: String
        var final: String
        var directory: String
    }

    struct State {
        var open: Set<String> = []
        var pending: [Pending] = []
        var committed = 0
        var committedThrough: CheckpointID = 0
    }

    private let state = Mutex(State())

    init() {}

    func opened(_ inProgress: String) { state.withLock { _ = $0.open.insert(inProgress) } }

    func closed(_ p: Pending) {
        state.withLock {
            $0.open.remove(p.inProgress)
            $0.pending.append(p)
        }
    }

    /// Files committed so far.
    var committedCount: Int { state.withLock { $0.committed } }

    /// The newest checkpoint whose files are committed: writers stop listing files of checkpoints
    /// up to it.
    var committedThrough: CheckpointID { state.withLock { $0.committedThrough } }

    /// Publishes `pending` (the files a completed checkpoint lists): rename each to its final name,
    /// then fsync each directory once. Idempotent: a file already published is skipped.
    ///
    /// If a file is found under neither name, nothing is renamed and `missing`'s error is thrown (by
    /// default an internal one: during a run nothing else removes our files).
    func commit(_ files: [Pending], through checkpoint: CheckpointID? = nil,
                missing: (Pending) -> StreamrunError = vanished) throws(StreamrunError) {
        let pending = files.sorted { $0.final < $1.final }
        let names = Set(pending.map(\.inProgress))
        state.withLock { s in s.pending.removeAll { names.contains($0.inProgress) } }
        if let gone = pending.first(where: { !FileIO.exists($0.inProgress) && !FileIO.exists($0.final) }) {
            throw missing(gone)
        }
        var dirs: Set<String> = []
        var renamed = 0
        for p in pending {
            if FileIO.exists(p.inProgress) {
                try FileIO.rename(p.inProgress, p.final)
                renamed += 1
            }
            dirs.insert(p.directory)
        }
        for d in dirs.sorted() { try FileIO.fsyncDirectory(d) }
        state.withLock { s in
            s.committed += renamed
            if let checkpoint { s.committedThrough = max(s.committedThrough, checkpoint) }
        }
    }

    /// The default error for a pending file that is under neither name during a run.
    static func vanished(_ p: Pending) -> StreamrunError {
        StreamrunError(.writeFailed, "pending file \(p.inProgress) vanished before commit", retry: .internal)
    }

    /// Removes every in-progress and pending file.
    func abortAll() {
        let paths = state.withLock { s -> [String] in
            defer {
                s.open = []
                s.pending = []
            }
            return Array(s.open) + s.pending.map(\.inProgress)
        }
        for p in paths { FileIO.unlink(p) }
    }
}
