import StreamrunCheckpoint
import StreamrunCore

/// `streamrun checkpoints show`: a checkpoint's (or savepoint's) manifest and the size of each
/// operator's state.
///
/// Reading it decodes every state file (checking sizes and checksums against the manifest) but not
/// the operators' values: the number of keys is read from each key group's header.
///
/// - Important: ``read(directory:)`` throws one ``StreamrunError`` when the directory is not a
///   complete checkpoint or a state file fails its checksum or does not decode.
public struct CheckpointSummary: Sendable {
    /// The state of one operator, over all its subtasks' files.
    public struct OperatorState: Sendable {
        public var id: String
        public var type: String
        public var parallelism: Int
        public var stateFiles: Int
        /// Bytes on disk (compressed).
        public var bytes: Int64
        /// Bytes of state once decompressed: every key group's and named section's payload.
        public var stateBytes: Int
        /// The key groups that hold state, ascending.
        public var keyGroups: [Int]
        /// The number of keys, for keyed operators (window, dedupe); nil for others.
        public var keys: Int?
    }

    /// The directory as given.
    public var directory: String
    public var manifest: CheckpointManifest
    /// One entry per operator of the manifest, in its (topological) order.
    public var operators: [OperatorState]

    /// Reads the manifest and every state file of the checkpoint (or savepoint) in `directory`.
    public static func read(directory: String) throws(StreamrunError) -> CheckpointSummary {
        let dir = CheckpointDirectory(path: directory)
        let manifest = try dir.readManifest()
        var operators: [OperatorState] = []
        for op in manifest.operators {
            let entries = manifest.stateFiles(of: op.id)
            var state = OperatorState(id: op.id, type: op.type, parallelism: op.parallelism, stateFiles: entries.count,
                                      bytes: entries.reduce(0) { $0 + $1.size }, stateBytes: 0, keyGroups: [], keys: nil)
            var keys = 0
            for entry in entries {
                let s = try dir.readStateFile(entry)
                state.stateBytes += s.keyGroups.values.reduce(0) { $0 + $1.count } + s.named.values.reduce(0) { $0 + $1.count }
                state.keyGroups += s.keyGroups.keys
                for (g, bytes) in s.keyGroups { keys += try keyCount(bytes, group: g, file: dir.path + "/" + entry.path) }
            }
            state.keyGroups.sort()
            if op.type == "window" || op.type == "dedupe" || !state.keyGroups.isEmpty { state.keys = keys }
            operators.append(state)
        }
        return CheckpointSummary(directory: dir.path, manifest: manifest, operators: operators)
    }

    /// The number of keys in a key group's bytes (the ``KeyedStateSnapshot`` layout: a version
    /// byte, then the key count).
    static func keyCount(_ bytes: [UInt8], group: Int, file: String) throws(StreamrunError) -> Int {
        var r = SnapshotReader(bytes, context: "\(file): key group \(group)")
        _ = try r.readUInt8()
        return try r.readCount()
    }

    /// "checkpoint" or, for a directory named `sp-…`, "savepoint".
    var kind: String {
        let name = directory.split(separator: "/").last ?? ""
        return name.hasPrefix("sp-") ? "savepoint" : "checkpoint"
    }

    /// Total bytes on disk of the state files.
    public var bytes: Int64 { operators.reduce(0) { $0 + $1.bytes } }
}
