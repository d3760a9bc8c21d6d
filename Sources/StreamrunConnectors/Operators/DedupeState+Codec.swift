import StreamrunCheckpoint
import StreamrunCore
import StreamrunRuntime

/// What a dedupe operator captured at a checkpoint: a copy-on-write copy of its keyed state and its
/// watermark. Cheap to take (O(key groups)); ``DedupeStateCodec/encode(_:)`` makes the bytes.
struct DedupeStateCapture<Key: StateKey>: Sendable {
    var groups: [[Key: KeyedStateStore<Key, EventTime>.Entry]]
    var keyTypes: [FieldType]
    var watermark: Watermark
}

/// The checkpoint format of the dedupe operator.
///
/// **Key groups** (``KeyedStateSnapshot`` layout, format version 1): per key, in canonical key order,
/// its canonical bytes, its last write time (which drives the `within + 1` TTL), then `seen` — the
/// event time of the last record let through — as a varint.
///
/// **Named sections**: `watermark` (``Int64StateSection``). Restoring takes the minimum over the old
/// subtasks. Keys expire by their own TTL deadline, rebuilt from their last write time, so a lower
/// watermark only delays expiry.
enum DedupeStateCodec {
    static let version: UInt8 = 1
    static let versions: ClosedRange<UInt8> = 1...1
    static let watermarkSection = "watermark"

    /// The bytes of a capture. Deterministic: the same state always gives the same payload.
    static func encode<Key: StateKey>(_ c: DedupeStateCapture<Key>) -> SnapshotPayload {
        let groups = KeyedStateSnapshot.encode(c.groups, keyTypes: c.keyTypes, version: version) { seen, w in
            w.writeVarInt(seen.milliseconds)
        }
        return SnapshotPayload(keyGroups: groups, named: [watermarkSection: Int64StateSection.encode(c.watermark.milliseconds)])
    }
}
