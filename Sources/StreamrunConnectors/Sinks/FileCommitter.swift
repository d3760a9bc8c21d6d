import StreamrunCheckpoint
import StreamrunCore
import Synchronization

/// Tracks every file the file sinks of one run have written, and publishes or removes them together.
///
/// A file is written under its hidden in-progress name, fsynced and closed (it is then *pending*);
/// ``commitAll()`` renames every pending file to its final name and fsyncs each directory once.
/// Renaming is idempotent: committing a file whose final name already holds it is a no-op.
/// ``abortAll()`` removes in-progress and pending files, so a failed run leaves no partial output.
public final class FileCommitter: Sendable {
    public struct Pending: Sendable, Hashable {
        public var inProgress: String
        public var final: String
        public var directory: String
    }

    struct State {
        var open: Set<String> = []
        var pending: [Pending] = []
        var committed = 0
    }

    private let state = Mutex(State())

    public init() {}

    func opened(_ inProgress: String) { state.withLock { _ = $0.open.insert(inProgress) } }

    func closed(_ p: Pending) {
        state.withLock {
            $0.open.remove(p.inProgress)
            $0.pending.append(p)
        }
    }

    /// Files committed so far.
    public var committedCount: Int { state.withLock { $0.committed } }

    /// Publishes every pending file, in a deterministic order.
    public func commitAll() throws(StreamrunError) {
        let pending = state.withLock { s -> [Pending] in
            defer { s.pending = [] }
            return s.pending
        }
        try commit(pending)
    }

    /// Publishes `pending` (the files a completed checkpoint lists): rename each to its final name,
    /// then fsync each directory once. Idempotent: a file already published is skipped.
    public func commit(_ files: [Pending]) throws(StreamrunError) {
        let pending = files.sorted { $0.final < $1.final }
        let names = Set(pending.map(\.inProgress))
        state.withLock { s in s.pending.removeAll { names.contains($0.inProgress) } }
        var dirs: Set<String> = []
        for p in pending {
            if FileIO.exists(p.inProgress) {
                try Posix.rename(p.inProgress, p.final)
            } else if !FileIO.exists(p.final) {
                throw StreamrunError(.writeFailed, "pending file \(p.inProgress) vanished before commit", retry: .internal)
            }
            dirs.insert(p.directory)
        }
        for d in dirs.sorted() { try Posix.fsyncDirectory(d) }
        state.withLock { $0.committed += pending.count }
    }

    /// Removes every in-progress and pending file.
    public func abortAll() {
        let paths = state.withLock { s -> [String] in
            defer {
                s.open = []
                s.pending = []
            }
            return Array(s.open) + s.pending.map(\.inProgress)
        }
        for p in paths { Posix.unlink(p) }
    }
}
