import StreamrunCheckpoint
import StreamrunCore

/// The checkpoint layout of a ``KeyedStateStore``: one byte string per non-empty key group.
///
/// A key group's bytes are (every integer via ``SnapshotWriter``, see `docs/checkpoint-format.md`):
///
/// | field | encoding |
/// |---|---|
/// | format version | `UInt8`, owned by the operator (it decides how values are encoded) |
/// | key count | `writeCount` |
/// | per key, in ascending ``KeyCodec`` order: key | `writeBytes` of the canonical key encoding |
/// | last write time (TTL) | `writeVarInt` |
/// | value | the operator's encoding for that version |
///
/// Keys are written sorted, so the same state always encodes to the same bytes, and the decoder
/// requires them strictly ascending (which also rules out duplicates). A restored key keeps its last
/// write time, so TTL deadlines continue where they were.
public enum KeyedStateSnapshot {
    /// Encodes every non-empty group of `groups` (from ``KeyedStateStore/snapshot()``).
    ///
    /// Pure, and reads only value types: it can run on any thread while the operator continues.
    @inlinable public static func encode<Key: StateKey, Value>(
        _ groups: [[Key: KeyedStateStore<Key, Value>.Entry]], keyTypes: [FieldType], version: UInt8,
        value writeValue: (Value, inout SnapshotWriter) -> Void
    ) -> [Int: [UInt8]] {
        var out: [Int: [UInt8]] = [:]
        // Two passes per group. First every key is encoded in bucket order — a sequential walk of
        // the dictionary's storage — into a scratch buffer, remembering where each key's bytes are;
        // then the spans are sorted by key and copied out. Visiting the values in key order instead
        // would be one cache miss per key, which is most of what a large snapshot costs.
        var scratch = SnapshotWriter()
        var spans: [(key: Key, start: Int, end: Int)] = []
        var order: [(prefix: UInt64, position: Int32)] = []
        var orderScratch: [(prefix: UInt64, position: Int32)] = []
        for (g, entries) in groups.enumerated() where !entries.isEmpty {
            scratch.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            spans.reserveCapacity(entries.count)
            for (key, e) in entries {
                let start = scratch.count
                key.writeCanonical(types: keyTypes, to: &scratch)
                scratch.writeVarInt(e.touchedAt.milliseconds)
                writeValue(e.value, &scratch)
                spans.append((key, start, scratch.count))
            }
            // Sort (prefix, position) pairs by prefix, then order runs of equal prefixes by key.
            order.removeAll(keepingCapacity: true)
            for (i, s) in spans.enumerated() { order.append((s.key.orderPrefix, Int32(i))) }
            PrefixSort.sort(&order, scratch: &orderScratch)
            var run = 0
            while run < order.count {
                var end = run + 1
                while end < order.count && order[end].prefix == order[run].prefix { end += 1 }
                if end - run > 1 { order[run..<end].sort { spans[Int($0.position)].key < spans[Int($1.position)].key } }
                run = end
            }
            var w = SnapshotWriter(reservingCapacity: scratch.count + 11)
            w.writeUInt8(version)
            w.writeCount(entries.count)
            scratch.withBytes { buf in
                for o in order {
                    let s = spans[Int(o.position)]
                    w.writeRaw(UnsafeBufferPointer(rebasing: buf[s.start..<s.end]))
                }
            }
            out[g] = w.bytes
        }
        return out
    }

    /// Decodes the bytes of key group `group` and inserts every key into `store`, calling
    /// `restored` for each key in encoded order (an operator rebuilds its timers there).
    ///
    /// `readValue` gets the format version (already checked to be in `versions`) and must read one
    /// value. Throws ``StreamrunError/Code/checkpointUnsupportedVersion`` for an unknown version and
    /// ``StreamrunError/Code/checkpointCorrupt`` for anything malformed; never traps.
    public static func decode<Key: StateKey, Value>(
        _ bytes: [UInt8], group: Int, into store: inout KeyedStateStore<Key, Value>, keyTypes: [FieldType],
        versions: ClosedRange<UInt8>,
        value readValue: (inout SnapshotReader, UInt8) throws(StreamrunError) -> Value,
        restored: (Key, Value) -> Void = { _, _ in }
    ) throws(StreamrunError) {
        var r = SnapshotReader(bytes, context: "key group \(group)")
        guard group >= 0 && group < store.maxParallelism else {
            throw r.fail("key group \(group) is outside 0..<\(store.maxParallelism) (maxParallelism)")
        }
        let version = try r.readUInt8()
        guard versions.contains(version) else {
            throw StreamrunError(.checkpointUnsupportedVersion,
                                 "keyed state format version \(version) is not supported (this streamrun reads \(versions))",
                                 retry: .user, location: r.context)
        }
        let n = try r.readCount()
        store.reserveCapacity(n, group: group)
        var previous: [UInt8]?
        for _ in 0..<n {
            let at = r.offset
            let bytes = try r.readBytes()
            guard let key = Key(canonicalBytes: bytes, types: keyTypes) else {
                let why = KeyCodec.problem(in: bytes, types: keyTypes) ?? "unsupported key representation"
                throw r.fail("bad key at offset \(at): \(why)")
            }
            if let p = previous, !p.lexicographicallyPrecedes(bytes) {
                throw r.fail("keys out of order or repeated at offset \(at)")
            }
            previous = bytes
            let touchedAt = EventTime(milliseconds: try r.readVarInt())
            let value = try readValue(&r, version)
            guard store.restore(key, group: group, entry: .init(value: value, touchedAt: touchedAt)) else {
                throw r.fail("key at offset \(at) is already restored")
            }
            restored(key, value)
        }
        try r.expectEnd()
    }
}

/// Named (non-keyed) state sections holding one `Int64`, such as a watermark or a counter.
///
/// Layout: a format version byte (`1`), then `writeVarInt`.
public enum Int64StateSection {
    public static let version: UInt8 = 1

    public static func encode(_ v: Int64) -> [UInt8] {
        var w = SnapshotWriter(reservingCapacity: 11)
        w.writeUInt8(version)
        w.writeVarInt(v)
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8], name: String) throws(StreamrunError) -> Int64 {
        var r = SnapshotReader(bytes, context: "named section \"\(name)\"")
        let v = try r.readUInt8()
        switch v {
        case 1:
            let value = try r.readVarInt()
            try r.expectEnd()
            return value
        default:
            throw StreamrunError(.checkpointUnsupportedVersion, "named section format version \(v) is not supported (this streamrun reads 1)",
                                 retry: .user, location: r.context)
        }
    }

    /// Section `name` of every old subtask's named sections, in order.
    ///
    /// - Important: Throws ``StreamrunError/Code/checkpointCorrupt`` when a subtask's snapshot lacks it.
    public static func all(_ named: [[String: [UInt8]]], name: String) throws(StreamrunError) -> [Int64] {
        var out: [Int64] = []
        for (i, sections) in named.enumerated() {
            guard let bytes = sections[name] else {
                throw StreamrunError(.checkpointCorrupt, "the snapshot of old subtask \(i) has no named section \"\(name)\"", retry: .user)
            }
            out.append(try decode(bytes, name: name))
        }
        return out
    }
}
