import StreamrunCore

/// Where a savepoint asked for over REST (`POST /savepoints`, `POST /stop`) may be written.
///
/// A request's `dir` is confined to the job's savepoint root (`<job dir>/savepoints/<job name>`):
/// a relative `dir` is taken below the root, an absolute one must lie inside it, and a `..`
/// component is refused in either. Only a request that says `"outsideRoot": true` — what
/// `streamrun savepoint --dir` and `stop --savepoint --dir` send — may name another place, and then
/// only as an absolute path. Every such request carries the token (``ControlAccess``), which only
/// the job's own user can read; the confinement keeps a tool that forwards names it was given (a
/// dashboard holding the token) from writing anywhere the job's user can.
///
/// Paths are compared as text, after removing `.` and empty components: a symbolic link inside the
/// root is followed, since whoever could place it there can write there.
enum SavepointDirectory {
    static let code = StreamrunError.Code("dir-outside-savepoint-root")

    /// The directory to pass to the launcher (nil: its default, the root itself), or a 400 error
    /// naming the rule.
    static func resolve(_ dir: String?, outsideRoot: Bool, root: String) throws(StreamrunError) -> String? {
        guard let dir else { return nil }
        if dir.isEmpty { throw refusal(dir, root: root, "it is empty") }
        if outsideRoot {
            guard dir.hasPrefix("/") else {
                throw refusal(dir, root: root, "with \"outsideRoot\": true it must be an absolute path")
            }
            return normalized(dir)
        }
        if components(dir).contains("..") { throw refusal(dir, root: root, "it contains \"..\"") }
        let base = normalized(root)
        let path = dir.hasPrefix("/") ? normalized(dir) : normalized(base + "/" + dir)
        guard path == base || path.hasPrefix(base == "/" ? "/" : base + "/") else {
            throw refusal(dir, root: root, "it is outside the savepoint root")
        }
        return path
    }

    static func components(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    }

    /// An absolute path without `.` or empty components (`..` is kept: it is refused or, outside
    /// the root, resolved by the file system).
    static func normalized(_ path: String) -> String {
        "/" + components(path).joined(separator: "/")
    }

    static func refusal(_ dir: String, root: String, _ why: String) -> StreamrunError {
        StreamrunError(code, "dir \"\(dir)\" is refused because \(why): a savepoint directory in a request must be relative to "
            + "the job's savepoint root \(root) (without \"..\") or an absolute path inside it; only the streamrun commands' "
            + "--dir (which send \"outsideRoot\": true with the token) choose another place", location: "dir")
    }
}
