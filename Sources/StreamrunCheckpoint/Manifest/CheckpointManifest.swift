import StreamrunCore

/// What one checkpoint contains: `_manifest.json`, written last into the checkpoint directory.
///
/// Its presence (with a valid checksum) is what makes a checkpoint complete; see
/// ``CheckpointStore/publish(_:)``. It lists the job's operators in order, every state file with
/// its size and CRC-32C, and readable per-operator summaries of source offsets and watermarks.
/// The state files are authoritative; the summaries are for people and tools (`streamrun
/// checkpoints ls`, `jq`).
///
/// On disk it is JSON with sorted keys (deterministic: the same manifest gives the same bytes),
/// followed by a `checksum` member; ``ManifestCodec`` reads and writes it.
public struct CheckpointManifest: Sendable, Hashable, Codable {
    /// The manifest format version ``ManifestCodec/encode(_:)`` writes.
    public static let currentVersion = 1

    /// The manifest format version (1).
    public var formatVersion: Int
    /// The job's `name` from job.json.
    public var job: String
    /// The checkpoint id: increasing, never reused within a checkpoints directory.
    public var checkpointID: CheckpointID
    /// When the checkpoint was triggered, in milliseconds since the Unix epoch (UTC), as passed
    /// in by the caller: the store never reads the clock.
    public var timestampMs: Int64
    /// The job's operators (sources, operators, sinks) in topological order.
    public var operators: [Operator]
    /// Every state file of the checkpoint.
    public var stateFiles: [StateFileEntry]
    /// Per-source summaries (for example split offsets), keyed by operator id; informational.
    public var sources: [String: ManifestValue]
    /// Per-operator watermark (the minimum over its subtasks), in the JSON as epoch milliseconds;
    /// informational.
    public var watermarks: [String: Watermark]
    /// The text of the job.json that took the checkpoint, so tools can decode its state without the
    /// file (`streamrun state dump`). Optional: `nil` in manifests written before it existed, and
    /// left out of the JSON when `nil`.
    public var jobText: String?

    public init(job: String, checkpointID: CheckpointID, timestampMs: Int64, operators: [Operator],
                stateFiles: [StateFileEntry], sources: [String: ManifestValue] = [:], watermarks: [String: Watermark] = [:],
                jobText: String? = nil) {
        self.formatVersion = Self.currentVersion
        self.job = job
        self.checkpointID = checkpointID
        self.timestampMs = timestampMs
        self.operators = operators
        self.stateFiles = stateFiles
        self.sources = sources
        self.watermarks = watermarks
        self.jobText = jobText
    }

    /// One node of the job at checkpoint time.
    public struct Operator: Sendable, Hashable, Codable {
        /// The node's `id` in job.json.
        public var id: String
        /// The node's `type` in job.json (`file`, `window`, ...).
        public var type: String
        public var parallelism: Int
        public var maxParallelism: Int

        public init(id: String, type: String, parallelism: Int, maxParallelism: Int) {
            self.id = id
            self.type = type
            self.parallelism = parallelism
            self.maxParallelism = maxParallelism
        }
    }

    /// The state files of one operator, ordered by subtask.
    public func stateFiles(of operatorID: String) -> [StateFileEntry] {
        stateFiles.filter { $0.operatorID == operatorID }.sorted { $0.subtask < $1.subtask }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion, job, checkpointID = "checkpointId", timestampMs, operators, stateFiles, sources, watermarks, jobText
    }
}

/// One state file as the manifest records it: returned by ``CheckpointStore/writeStateFile(checkpoint:snapshot:)``
/// and handed to the coordinator, which lists it in the manifest.
public struct StateFileEntry: Sendable, Hashable, Codable {
    /// The file name, relative to the checkpoint directory (`op-window-00001.state.lz4`).
    public var path: String
    public var operatorID: String
    public var subtask: Int
    /// The file's size in bytes on disk (compressed).
    public var size: Int64
    /// CRC-32C of the file's bytes on disk (the LZ4 frame, not its content).
    public var crc32c: UInt32

    public init(path: String, operatorID: String, subtask: Int, size: Int64, crc32c: UInt32) {
        self.path = path
        self.operatorID = operatorID
        self.subtask = subtask
        self.size = size
        self.crc32c = crc32c
    }

    enum CodingKeys: String, CodingKey { case path, operatorID = "operator", subtask, size, crc32c }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        operatorID = try c.decode(String.self, forKey: .operatorID)
        subtask = try c.decode(Int.self, forKey: .subtask)
        size = try c.decode(Int64.self, forKey: .size)
        let hex = try c.decode(String.self, forKey: .crc32c)
        guard hex.count == 8, let v = UInt32(hex, radix: 16) else {
            throw DecodingError.dataCorruptedError(forKey: .crc32c, in: c, debugDescription: "expected 8 hex digits, got \"\(hex)\"")
        }
        crc32c = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(operatorID, forKey: .operatorID)
        try c.encode(subtask, forKey: .subtask)
        try c.encode(size, forKey: .size)
        try c.encode(CRC32C.hex(crc32c), forKey: .crc32c)
    }
}
