import StreamrunCore

/// The binary format of one state file: an ``OperatorSnapshot`` inside an LZ4 frame.
///
/// The frame's content is `SRSN` (magic), a `UInt16` format version, then the version's body,
/// which for version 1 ends with a CRC-32C of every byte before it. `lz4 -d` opens the file;
/// `docs/checkpoint-format.md` describes every byte.
///
/// Each format version keeps its own decoder forever (``decode(_:)`` switches on the version), so
/// a checkpoint written by an older streamrun always restores. ``encode(_:)`` writes
/// ``currentVersion``.
public enum StateFile {
    /// `SRSN`: streamrun snapshot.
    public static let magic: [UInt8] = Array("SRSN".utf8)
    /// The version ``encode(_:)`` writes.
    public static let currentVersion: UInt16 = 1
    /// Every version ``decode(_:)`` reads.
    public static let supportedVersions: ClosedRange<UInt16> = 1...1

    /// The file's bytes (an LZ4 frame) for `snapshot`; deterministic: the same snapshot always
    /// gives the same bytes.
    ///
    /// - Important: Throws (an internal error) if the snapshot is inconsistent: an operator id that
    ///   is not a valid file name part, a subtask outside its parallelism, a key group outside
    ///   `maxParallelism`.
    public static func encode(_ snapshot: OperatorSnapshot) throws(StreamrunError) -> [UInt8] {
        var content = SnapshotWriter()
        return try encode(snapshot, content: &content)
    }

    /// The same bytes as ``encode(_:)``, building the uncompressed content in `content` (whatever
    /// it held is dropped; its capacity is kept for the next file).
    public static func encode(_ snapshot: OperatorSnapshot, content: inout SnapshotWriter) throws(StreamrunError) -> [UInt8] {
        content.removeAll(keepingCapacity: true)
        try fill(&content, with: snapshot)
        return try content.withBytes { (b) throws(StreamrunError) -> [UInt8] in try LZ4Frame.compress(b) }
    }

    /// The snapshot in a state file's bytes (an LZ4 frame).
    ///
    /// - Important: Throws ``StreamrunError/Code/checkpointCorrupt`` for a damaged frame, a bad magic,
    ///   a checksum mismatch or malformed content, and
    ///   ``StreamrunError/Code/checkpointUnsupportedVersion`` for a version this build cannot read.
    public static func decode(_ file: [UInt8]) throws(StreamrunError) -> OperatorSnapshot {
        let content: [UInt8]
        do {
            content = try LZ4Frame.decompress(file)
        } catch {
            throw .corrupt("not a valid LZ4 frame: \(error.message)")
        }
        return try decodeContent(content)
    }

    /// The uncompressed content (what `lz4 -d` prints).
    public static func encodeContent(_ snapshot: OperatorSnapshot) throws(StreamrunError) -> [UInt8] {
        var w = SnapshotWriter()
        try fill(&w, with: snapshot)
        return w.bytes
    }

    /// Checks `snapshot` and appends its content (the current version's) to `w`.
    private static func fill(_ w: inout SnapshotWriter, with snapshot: OperatorSnapshot) throws(StreamrunError) {
        if let p = snapshot.problem() {
            throw StreamrunError(.internalError, "cannot write a state file: \(p)", retry: .internal)
        }
        StateFileV1.encode(snapshot, into: &w)
    }

    /// Decodes uncompressed content: checks the magic, then dispatches on the version.
    public static func decodeContent(_ content: [UInt8]) throws(StreamrunError) -> OperatorSnapshot {
        var r = SnapshotReader(content)
        let m = try? r.readRaw(4)
        guard m == magic else {
            throw .corrupt("not a streamrun state file: the content does not start with \"SRSN\"")
        }
        let version = try r.readUInt16()
        switch version {
        case 1:
            return try StateFileV1.decode(content)
        default:
            throw StreamrunError(.checkpointUnsupportedVersion,
                                 "state file format version \(version) is not supported (this streamrun reads versions \(supportedVersions.lowerBound)...\(supportedVersions.upperBound)); it was written by a newer streamrun")
        }
    }
}
