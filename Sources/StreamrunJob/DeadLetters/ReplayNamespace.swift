import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// The directory of one dead-letter replay, `<job state directory>/replay-<id>/`, and every name in
/// it. `<id>` (16 hex digits) is a hash of the dead-letter files the replay covers, so running the
/// same replay again finds the same directory.
///
/// ```
/// replay-<id>/
///   .lock            held by the `dlq replay` working on it
///   input/<source>.<ext>   the records fed to each source (empty for the job's other sources)
///   replay.json      what the replay covers (written last when it is prepared: its commit point)
///   checkpoints/     the replay run's checkpoints, when the job has a checkpoints section
///   done             written when the replay has finished (its checkpoint and counts)
/// ```
struct ReplayNamespace: Sendable, Hashable {
    static let prefix = "replay-"

    let root: String
    let id: String

    init(stateDirectory: String, id: String) {
        self.id = id
        root = stateDirectory + "/" + Self.prefix + id
    }

    /// The tag of the part files the replay writes (``PartFileNames``): `replay-<id>`.
    var tag: String { Self.prefix + id }
    var inputDirectory: String { root + "/input" }
    var recordPath: String { root + "/replay.json" }
    var donePath: String { root + "/done" }
    var checkpointsDirectory: String { root + "/checkpoints" }

    /// The replay's input file for a source: `input/<source>.<jsonl|csv>`.
    func input(source: String, format: DataFormat) -> String { inputDirectory + "/" + source + "." + format.rawValue }

    /// Every replay directory of a job (any `replay-<16 hex digits>` in its state directory), by id.
    static func all(in stateDirectory: String) -> [ReplayNamespace] {
        (FileIO.list(stateDirectory) ?? []).compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            let id = String(name.dropFirst(prefix.count))
            guard isID(id), FileIO.isDirectory(stateDirectory + "/" + name) else { return nil }
            return ReplayNamespace(stateDirectory: stateDirectory, id: id)
        }
    }

    static func isID(_ s: String) -> Bool {
        s.utf8.count == 16 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Takes the exclusive lock on the directory (created if missing), so no second `dlq replay`
    /// prepares or runs it at the same time.
    func lock() throws(StreamrunError) -> DirectoryLock {
        switch try DirectoryLock.acquire(directory: root) {
        case .acquired(let l): return l
        case .held: throw StreamrunError(.alreadyRunning, "replay \(id) is already running (\(root))")
        }
    }

    /// Publishes `bytes` at `path` (write a hidden temporary name, fsync, rename, fsync the directory).
    static func publish(_ bytes: [UInt8], to path: String) throws(StreamrunError) {
        let dir = FileIO.parent(of: path)
        try FileIO.makeDirectories(dir)
        let name = String(path.dropFirst(dir.count + 1))
        try FileIO.writeAtomically(bytes, to: path, inProgress: dir + "/." + name + ".tmp", syncDirectory: true)
    }
}
