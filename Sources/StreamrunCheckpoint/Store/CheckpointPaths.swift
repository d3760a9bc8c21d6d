import StreamrunCore

/// Builds every checkpoint path. No other code in streamrun spells a checkpoint file name.
///
/// ```
/// <root>/
///   chk-000017/                          one directory per checkpoint id (6+ digits, zero-padded)
///     op-window-00000.state.lz4          one state file per operator subtask (5-digit subtask)
///     op-window-00001.state.lz4
///     _manifest.json                     written last: its presence makes the checkpoint complete
///     .op-window-00001.state.lz4.inprogress   a file being written (renamed when done)
/// ```
///
/// Names are deterministic — built from the checkpoint id, operator id and subtask only, with no
/// clock and no random part — so writing the same file twice replaces it rather than adding one.
/// Sorting is by the parsed id (``checkpointID(directoryName:)``), never by the name, so ids past
/// 999999 (which get a seventh digit) still sort correctly.
public struct CheckpointPaths: Sendable, Hashable {
    /// The checkpoints directory (`checkpoints.dir` in job.json).
    public let root: String
    /// The prefix of this store's directory names: `chk-` for checkpoints, `sp-` for savepoints.
    public let prefix: String

    public init(root: String, prefix: String = directoryPrefix) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        self.prefix = prefix
    }

    /// The prefix of a savepoint directory name (`sp-000017`): same layout and format as a checkpoint.
    public static let savepointPrefix = "sp-"

    /// This store's name for a checkpoint directory: `chk-000017` (or `sp-000017`).
    public func name(_ checkpoint: CheckpointID) -> String { prefix + Self.pad(checkpoint.value, 6) }

    /// The id in one of this store's directory names, or nil.
    public func id(directoryName name: String) -> CheckpointID? {
        guard name.hasPrefix(prefix) else { return nil }
        return Self.checkpointID(directoryName: Self.directoryPrefix + name.dropFirst(prefix.count))
    }

    /// The store holding a single checkpoint or savepoint directory (`…/chk-000017`, `…/sp-000003`),
    /// and its id; nil when the last path component is not such a name.
    public static func containing(_ directory: String) -> (paths: CheckpointPaths, id: CheckpointID)? {
        var d = directory
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        let slash = d.lastIndex(of: "/")
        let name = String(slash.map { d[d.index(after: $0)...] } ?? d[...])
        let parent = slash.map { $0 == d.startIndex ? "/" : String(d[..<$0]) } ?? "."
        for prefix in [directoryPrefix, savepointPrefix] {
            let p = CheckpointPaths(root: parent, prefix: prefix)
            if let id = p.id(directoryName: name) { return (p, id) }
        }
        return nil
    }

    /// The manifest's file name.
    public static let manifestName = "_manifest.json"
    /// The prefix of a checkpoint directory name.
    public static let directoryPrefix = "chk-"
    /// The suffix of a state file name.
    public static let stateFileSuffix = ".state.lz4"
    /// The suffix of a file being written (it is renamed to its final name when complete).
    public static let inProgressSuffix = ".inprogress"

    // MARK: - Names

    /// `chk-000017`.
    public static func directoryName(_ checkpoint: CheckpointID) -> String { directoryPrefix + pad(checkpoint.value, 6) }

    /// The id in a checkpoint directory name, or `nil` if `name` is not one (`chk-` and 6 or more digits).
    public static func checkpointID(directoryName name: String) -> CheckpointID? {
        guard name.hasPrefix(directoryPrefix) else { return nil }
        let digits = name.dropFirst(directoryPrefix.count)
        guard digits.count >= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let raw = Int64(digits), raw >= 0, name == directoryName(CheckpointID(raw)) else { return nil }
        return CheckpointID(raw)
    }

    /// `op-<operatorID>-<subtask:05>.state.lz4`, for example `op-window-00003.state.lz4`.
    public static func stateFileName(operator operatorID: String, subtask: Int) -> String {
        "op-\(operatorID)-\(pad(Int64(subtask), 5))\(stateFileSuffix)"
    }

    /// The hidden name a file is written under before it is renamed to `name`: `.<name>.inprogress`.
    public static func inProgressName(_ name: String) -> String { "." + name + inProgressSuffix }

    /// Whether `id` can be part of a file name: 1–128 ASCII letters, digits, `_` or `-` — the rule
    /// job.json validation applies to ids (``SafeNames/isValidID(_:)``).
    public static func isValidOperatorID(_ id: String) -> Bool { SafeNames.isValidID(id) }

    // MARK: - Paths

    /// `<root>/chk-000017`.
    public func directory(_ checkpoint: CheckpointID) -> String { root + "/" + name(checkpoint) }

    /// `<root>/chk-000017/_manifest.json`.
    public func manifest(_ checkpoint: CheckpointID) -> String { directory(checkpoint) + "/" + Self.manifestName }

    /// `<root>/chk-000017/op-<operatorID>-<subtask:05>.state.lz4`.
    public func stateFile(checkpoint: CheckpointID, operator operatorID: String, subtask: Int) -> String {
        directory(checkpoint) + "/" + Self.stateFileName(operator: operatorID, subtask: subtask)
    }

    /// A file inside a checkpoint directory by its manifest-relative path.
    public func file(checkpoint: CheckpointID, relativePath: String) -> String { directory(checkpoint) + "/" + relativePath }

    /// The in-progress twin of a final path in the same directory: `<dir>/.<name>.inprogress`.
    public func inProgress(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return Self.inProgressName(path) }
        return String(path[...slash]) + Self.inProgressName(String(path[path.index(after: slash)...]))
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
