import StreamrunCheckpoint
import StreamrunCore
import StreamrunRuntime

/// What a window operator captured at a checkpoint: copy-on-write copies of its keyed state plus the
/// operator-wide counters. Cheap to take (O(key groups)); ``WindowStateCodec/encode(_:)`` turns it
/// into bytes, on any thread.
struct WindowStateCapture<Key: StateKey>: Sendable {
    var groups: [[Key: KeyedStateStore<Key, WindowList>.Entry]]
    var keyTypes: [FieldType]
    var watermark: Watermark
    var sequence: Int64
}

/// The checkpoint format of the window operator.
///
/// **Key groups** (``KeyedStateSnapshot`` layout, format version 1): per key, in canonical key order,
/// its canonical bytes, its last write time (state TTL), then its open windows in the order the
/// operator keeps them (the order session merges depend on):
///
///     count, then per window: varint start, varint end, u8 flags (bit 0 fired, bit 1 dirty),
///     count of accumulators, each accumulator (see AggregateAccumulator+Codec.swift)
///
/// **Named sections** (each a version byte then a varint, ``Int64StateSection``):
/// - `watermark`: the operator's current watermark. Restoring takes the **minimum** over the old
///   subtasks, so no restored subtask has seen more event time than every old one it inherits from.
/// - `sequence`: the arrival number of the next record, which breaks `first`/`last` ties. Restoring
///   takes the **maximum** over the old subtasks: a key's windows only ever hold sequence numbers of
///   the one subtask that owned it, all below that subtask's counter, so every record arriving after
///   the restore ranks after every record before it, as it would have without the restore.
///
/// Timers are not stored: restoring pushes one per window, at `end - 1` if it has not fired and at
/// its purge time `end - 1 + allowedLateness` if it has, which is exactly when the uninterrupted
/// operator next looks at it (its other pending timers for that window are no-ops).
enum WindowStateCodec {
    static let version: UInt8 = 1
    static let versions: ClosedRange<UInt8> = 1...1
    static let watermarkSection = "watermark"
    static let sequenceSection = "sequence"

    private static let firedFlag: UInt8 = 1
    private static let dirtyFlag: UInt8 = 2

    /// The bytes of a capture. Deterministic: the same state always gives the same payload.
    static func encode<Key: StateKey>(_ c: WindowStateCapture<Key>) -> SnapshotPayload {
        let groups = KeyedStateSnapshot.encode(c.groups, keyTypes: c.keyTypes, version: version) { wins, w in
            writeWindows(wins, to: &w)
        }
        return SnapshotPayload(keyGroups: groups, named: [
            watermarkSection: Int64StateSection.encode(c.watermark.milliseconds),
            sequenceSection: Int64StateSection.encode(c.sequence),
        ])
    }

    static func writeWindows(_ wins: WindowList, to w: inout SnapshotWriter) {
        w.writeCount(wins.count)
        for win in wins {
            // At most 10 + 10 + 1 + 10 bytes: one append (this runs for every key at every checkpoint).
            w.writePacked { p in
                p.writeVarInt(win.start)
                p.writeVarInt(win.end)
                p.writeUInt8((win.fired ? firedFlag : 0) | (win.dirty ? dirtyFlag : 0))
                p.writeCount(win.accs.count)
            }
            for acc in win.accs { acc.write(to: &w) }
        }
    }

    /// Reads one key's windows (format version 1), checked against the configured aggregates.
    static func readWindowsV1(_ r: inout SnapshotReader, aggregators: [Aggregator]) throws(StreamrunError) -> WindowList {
        let n = try r.readCount()
        var wins = WindowList()
        wins.reserveCapacity(n)
        for _ in 0..<n {
            let at = r.offset
            let start = try r.readVarInt()
            let end = try r.readVarInt()
            guard start < end else { throw r.fail("window at offset \(at) has start \(start) not before end \(end)") }
            let flags = try r.readUInt8()
            guard flags & ~(firedFlag | dirtyFlag) == 0 else { throw r.fail("window at offset \(at) has unknown flags \(flags)") }
            let count = try r.readCount()
            guard count == aggregators.count else {
                throw r.fail("window at offset \(at) has \(count) accumulator(s), but the operator has \(aggregators.count) aggregate(s)")
            }
            var accs = SmallArray<Accumulator>()
            accs.reserveCapacity(count)
            for a in aggregators { accs.append(try a.readAccumulatorV1(&r)) }
            wins.append(WindowState(start: start, end: end, fired: flags & firedFlag != 0, dirty: flags & dirtyFlag != 0, accs: accs))
        }
        return wins
    }
}
