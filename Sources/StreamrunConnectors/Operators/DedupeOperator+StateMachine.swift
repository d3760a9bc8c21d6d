import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Drops records whose key was already emitted within `within` before them (event time).
///
/// Per key it keeps `seen`, the event time of the last record it let through. A record with
/// `ts < seen + within` is a duplicate; otherwise it is emitted and becomes the new `seen`. The state
/// of a key is removed once the watermark passes `seen + within` (a TTL of `within + 1` in the
/// ``KeyedStateStore``), so memory follows the number of keys active within the horizon. Rows
/// with a null event time cannot be compared and pass through without touching state.
struct DedupeStateMachine<Key: StateKey> {
    let keyFields: [Int]
    let keyTypes: [FieldType]
    let timeField: Int
    let withinMs: Int64
    /// Per key, `seen`: the event time of the last record let through.
    private(set) var store: KeyedStateStore<Key, EventTime>
    private(set) var watermark: Watermark = .min

    init(keyFields: [Int], keyTypes: [FieldType], timeField: Int, withinMs: Int64, maxParallelism: Int) {
        self.keyFields = keyFields
        self.keyTypes = keyTypes
        self.timeField = timeField
        self.withinMs = withinMs
        self.store = Self.emptyStore(withinMs: withinMs, maxParallelism: maxParallelism)
    }

    /// A state machine continuing from a restored store (see `DedupeOperator+Snapshot.swift`).
    init(keyFields: [Int], keyTypes: [FieldType], timeField: Int, withinMs: Int64, store: KeyedStateStore<Key, EventTime>,
         watermark: Watermark) {
        self.keyFields = keyFields
        self.keyTypes = keyTypes
        self.timeField = timeField
        self.withinMs = withinMs
        self.store = store
        self.watermark = watermark
    }

    /// An empty store configured like this machine's (the TTL is `within + 1`).
    static func emptyStore(withinMs: Int64, maxParallelism: Int) -> KeyedStateStore<Key, EventTime> {
        KeyedStateStore(maxParallelism: maxParallelism, ttlMs: EventTime.add(withinMs, 1))
    }

    /// The rows to emit (in input order, nil when none) and the number of duplicates dropped.
    mutating func process(_ batch: RecordBatch) throws -> (output: RecordBatch?, duplicates: Int) {
        guard batch.count > 0 else { return (nil, 0) }
        let timeColumn = batch.columns[timeField]
        guard case .int(let times) = timeColumn.storage else {
            throw StreamrunError(.internalError, "dedupe: the event-time column is not an int column", retry: .internal)
        }
        let keys = Key.keys(of: batch, fields: keyFields, types: keyTypes)
        let hashes = batch.keyHashes(keyFields)
        var keep: [Int32] = []
        keep.reserveCapacity(batch.count)
        for i in 0..<batch.count {
            if timeColumn.isNull(i) {
                keep.append(Int32(i))
                continue
            }
            let t = EventTime(milliseconds: times[i])
            let g = store.group(forHash: hashes[i])
            if let seen = store.value(keys[i], group: g), t < seen.adding(withinMs) { continue }
            store.set(t, for: keys[i], group: g, touchedAt: t)
            keep.append(Int32(i))
        }
        let dropped = batch.count - keep.count
        if keep.isEmpty { return (nil, dropped) }
        return (keep.count == batch.count ? batch : batch.gather(keep), dropped)
    }

    /// Forgets keys whose horizon the watermark has passed.
    mutating func advance(to w: Watermark) {
        guard w > watermark else { return }
        watermark = w
        store.expire(watermark: w)
    }
}
