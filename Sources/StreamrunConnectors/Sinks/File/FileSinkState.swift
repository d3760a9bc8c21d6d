import StreamrunCheckpoint
import StreamrunCore

/// What a file sink subtask stores in a checkpoint (two-phase commit, Flink's FileSink protocol):
/// the files it closed since the previous checkpoint — *pending*: complete, fsynced, still hidden —
/// which are published once the checkpoint completes (or, after a crash, when it is restored), and
/// the next sequence number per partition of *every* subtask index the sink has ever run with, so
/// numbering continues where it stopped even across rescaling (a subtask index that is not running
/// now keeps its numbers for when it runs again, and restore can remove its files written after
/// the checkpoint).
///
/// Named sections `"pending"` (format version 1) and `"sequences"` (version 2: per subtask index;
/// version 1 held the writing subtask's numbers only and is still read).
struct FileSinkState: Sendable, Hashable {
    var pending: [FileCommitter.Pending]
    /// Subtask index → partition directory ("" when unpartitioned) → next sequence number.
    var sequences: [Int: [String: Int]]

    static let pendingVersion: UInt8 = 1
    static let sequencesVersion: UInt8 = 2

    func payload() -> [String: [UInt8]] {
        var p = SnapshotWriter()
        p.writeUInt8(Self.pendingVersion)
        p.writeVarUInt(UInt64(pending.count))
        for f in pending {
            p.writeString(f.inProgress)
            p.writeString(f.final)
            p.writeString(f.directory)
        }
        var s = SnapshotWriter()
        s.writeUInt8(Self.sequencesVersion)
        s.writeVarUInt(UInt64(sequences.count))
        for (subtask, bySubtask) in sequences.sorted(by: { $0.key < $1.key }) {
            s.writeVarUInt(UInt64(subtask))
            s.writeVarUInt(UInt64(bySubtask.count))
            for (k, v) in bySubtask.sorted(by: { $0.key < $1.key }) {
                s.writeString(k)
                s.writeVarUInt(UInt64(v))
            }
        }
        return ["pending": p.bytes, "sequences": s.bytes]
    }

    init(pending: [FileCommitter.Pending], sequences: [Int: [String: Int]]) {
        self.pending = pending
        self.sequences = sequences
    }

    /// - Parameter subtask: the subtask that wrote the state (owner of version-1 sequences).
    init(payload named: [String: [UInt8]], subtask: Int) throws(StreamrunError) {
        pending = []
        sequences = [:]
        if let b = named["pending"] {
            var r = SnapshotReader(b, context: "file sink pending files")
            let v = try r.readUInt8()
            guard v == Self.pendingVersion else { throw r.fail("unsupported file sink state version \(v)") }
            for _ in 0..<(try r.readCount()) {
                pending.append(FileCommitter.Pending(inProgress: try r.readString(), final: try r.readString(), directory: try r.readString()))
            }
            try r.expectEnd()
        }
        if let b = named["sequences"] {
            var r = SnapshotReader(b, context: "file sink sequences")
            switch try r.readUInt8() {
            case 1:
                for _ in 0..<(try r.readCount()) { sequences[subtask, default: [:]][try r.readString()] = Int(try r.readVarUInt()) }
            case 2:
                for _ in 0..<(try r.readCount()) {
                    let index = Int(try r.readVarUInt())
                    var bySubtask: [String: Int] = [:]
                    for _ in 0..<(try r.readCount()) { bySubtask[try r.readString()] = Int(try r.readVarUInt()) }
                    sequences[index] = bySubtask
                }
            case let v:
                throw r.fail("unsupported file sink sequences version \(v)")
            }
            try r.expectEnd()
        }
    }

    /// The sequences of every old subtask's state, merged (the highest number per subtask index and
    /// partition wins: numbers only grow).
    static func mergedSequences(_ states: [FileSinkState]) -> [Int: [String: Int]] {
        var out: [Int: [String: Int]] = [:]
        for s in states {
            for (index, bySubtask) in s.sequences {
                for (k, v) in bySubtask { out[index, default: [:]][k] = max(out[index]?[k] ?? 0, v) }
            }
        }
        return out
    }
}
