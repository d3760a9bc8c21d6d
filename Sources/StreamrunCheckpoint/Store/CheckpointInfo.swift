import StreamrunCore

/// One checkpoint directory as ``CheckpointStore/list()`` sees it.
///
/// `list()` reads each manifest (checking its checksum) and stats each state file it names; it
/// does not read state files. A checkpoint whose state file bytes are damaged is only found by
/// ``CheckpointStore/verify(_:)`` (which ``CheckpointStore/newestValid()`` runs).
public struct CheckpointInfo: Sendable, Hashable {
    public enum Status: Sendable, Hashable, CustomStringConvertible {
        /// The manifest is present and valid, and every state file it names has the recorded size.
        case complete
        /// No manifest: the checkpoint is being written, or the writer crashed or gave up.
        case incomplete
        /// The manifest is damaged, or a state file it names is missing or has the wrong size.
        case corrupt(String)

        public var description: String {
            switch self {
            case .complete: "complete"
            case .incomplete: "incomplete"
            case .corrupt(let why): "corrupt: \(why)"
            }
        }

        public var isComplete: Bool { self == .complete }
    }

    /// The checkpoint id (from the directory name).
    public var id: CheckpointID
    /// The checkpoint directory.
    public var directory: String
    public var status: Status
    /// When the checkpoint was taken (epoch ms) — `nil` unless the manifest could be read.
    public var timestampMs: Int64?
    /// The bytes of every file in the directory.
    public var sizeBytes: Int64
    /// The number of files in the directory.
    public var fileCount: Int

    public init(id: CheckpointID, directory: String, status: Status, timestampMs: Int64?, sizeBytes: Int64, fileCount: Int) {
        self.id = id
        self.directory = directory
        self.status = status
        self.timestampMs = timestampMs
        self.sizeBytes = sizeBytes
        self.fileCount = fileCount
    }
}

/// The result of ``CheckpointStore/verify(_:)``: one line per file checked.
public struct CheckpointVerification: Sendable, Hashable {
    /// One checked file: its full path and what is wrong with it, if anything.
    public struct FileResult: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        /// `nil` when the file is fine.
        public var problem: String?

        public init(path: String, problem: String?) {
            self.path = path
            self.problem = problem
        }

        public var description: String { "\(path): \(problem ?? "ok")" }
    }

    public var checkpoint: CheckpointID
    /// The manifest first, then every state file in manifest order.
    public var files: [FileResult]

    public init(checkpoint: CheckpointID, files: [FileResult]) {
        self.checkpoint = checkpoint
        self.files = files
    }

    /// Whether every checksum matched and every state file decoded.
    public var isValid: Bool { !files.isEmpty && files.allSatisfy { $0.problem == nil } }

    /// Each bad file as `path: problem`.
    public var problems: [String] { files.filter { $0.problem != nil }.map(\.description) }
}

/// What ``CheckpointStore/newestValid()`` found: the checkpoint to restore (if any) and why newer
/// ones were skipped.
public struct RestoreSelection: Sendable, Hashable {
    /// The newest checkpoint that verified, or `nil` to start from scratch.
    public var manifest: CheckpointManifest?
    /// One line per skipped checkpoint, naming the bad file and the problem. Print them.
    public var warnings: [String]

    public init(manifest: CheckpointManifest?, warnings: [String]) {
        self.manifest = manifest
        self.warnings = warnings
    }
}
