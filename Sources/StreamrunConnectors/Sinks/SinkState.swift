import StreamrunCheckpoint
import StreamrunCore

/// What a file sink subtask stores in a checkpoint (two-phase commit, Flink's FileSink protocol):
/// the files it closed since the previous checkpoint — *pending*: complete, fsynced, still hidden —
/// which are published once the checkpoint completes (or, after a crash, when it is restored), and
/// the next sequence number per partition, so numbering continues where it stopped.
/// Named sections `"pending"` and `"sequences"`, format version 1.
struct SinkState: Sendable, Hashable {
    var pending: [FileCommitter.Pending]
    /// Partition value ("" when unpartitioned) → next sequence number.
    var sequences: [String: Int]

    static let version: UInt8 = 1

    func payload() -> [String: [UInt8]] {
        var p = SnapshotWriter()
        p.writeUInt8(Self.version)
        p.writeVarUInt(UInt64(pending.count))
        for f in pending {
            p.writeString(f.inProgress)
            p.writeString(f.final)
            p.writeString(f.directory)
        }
        var s = SnapshotWriter()
        s.writeUInt8(Self.version)
        s.writeVarUInt(UInt64(sequences.count))
        for (k, v) in sequences.sorted(by: { $0.key < $1.key }) {
            s.writeString(k)
            s.writeVarUInt(UInt64(v))
        }
        return ["pending": p.bytes, "sequences": s.bytes]
    }

    init(pending: [FileCommitter.Pending], sequences: [String: Int]) {
        self.pending = pending
        self.sequences = sequences
    }

    init(payload named: [String: [UInt8]]) throws(StreamrunError) {
        pending = []
        sequences = [:]
        if let b = named["pending"] {
            var r = SnapshotReader(b, context: "file sink pending files")
            let v = try r.readUInt8()
            guard v == Self.version else { throw r.fail("unsupported file sink state version \(v)") }
            for _ in 0..<(try r.readCount()) {
                pending.append(FileCommitter.Pending(inProgress: try r.readString(), final: try r.readString(), directory: try r.readString()))
            }
            try r.expectEnd()
        }
        if let b = named["sequences"] {
            var r = SnapshotReader(b, context: "file sink sequences")
            let v = try r.readUInt8()
            guard v == Self.version else { throw r.fail("unsupported file sink state version \(v)") }
            for _ in 0..<(try r.readCount()) { sequences[try r.readString()] = Int(try r.readVarUInt()) }
            try r.expectEnd()
        }
    }
}
