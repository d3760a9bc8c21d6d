import StreamrunCore

/// Keyed state of one operator subtask: one Swift `Dictionary` per key group, with optional
/// event-time TTL.
///
/// A key's group is `KeyGroups.group(hash:maxParallelism:)` of the same stable hash the keyed
/// partitioner routes by (``RecordBatch/keyHashes(_:)``), so a subtask only ever holds keys of the
/// groups it owns, and state can later move between subtasks group by group.
///
/// Everything is a value type: the per-group dictionaries, the values inside them (which should be
/// value types too) and the TTL heap are copy-on-write. A checkpoint can therefore take a consistent
/// snapshot in O(number of groups) with ``snapshot()`` between two batches and write it out while
/// processing continues; the first later write to a group copies only that group.
///
/// **TTL** (event time): every write through ``update(_:group:touchedAt:orInsert:_:)`` records when
/// the key was last touched (the max of the given times). With `ttlMs` set, ``expire(watermark:_:)``
/// removes every key with `touchedAt + ttlMs <= watermark` as the watermark passes — reads do not
/// need to check. Deadlines sit in a ``TimerHeap``; a popped deadline whose key was touched since is
/// pushed again at its new deadline, so expiry never scans the store.
public struct KeyedStateStore<Key: Hashable & Sendable, Value> {
    /// A stored value and when its key was last written (event time).
    public struct Entry {
        public var value: Value
        public var touchedAt: EventTime

        @inlinable public init(value: Value, touchedAt: EventTime) {
            self.value = value
            self.touchedAt = touchedAt
        }
    }

    @usableFromInline struct Deadline: Comparable, Sendable {
        @usableFromInline var time: EventTime
        @usableFromInline var group: Int
        @usableFromInline var key: Key

        @inlinable init(time: EventTime, group: Int, key: Key) {
            self.time = time
            self.group = group
            self.key = key
        }

        @inlinable static func < (a: Deadline, b: Deadline) -> Bool { a.time < b.time }
        @inlinable static func == (a: Deadline, b: Deadline) -> Bool { a.time == b.time && a.group == b.group && a.key == b.key }
    }

    public let maxParallelism: Int
    /// Keys not written for this long (event time) are removed; nil keeps them forever.
    public let ttlMs: Int64?
    @usableFromInline var groups: [[Key: Entry]]
    @usableFromInline var deadlines = TimerHeap<Deadline>()
    @usableFromInline var _count = 0

    public init(maxParallelism: Int = KeyGroups.defaultMaxParallelism, ttlMs: Int64? = nil) {
        precondition(maxParallelism > 0, "maxParallelism must be positive")
        self.maxParallelism = maxParallelism
        self.ttlMs = ttlMs
        self.groups = Array(repeating: [:], count: maxParallelism)
    }

    /// The number of keys held.
    public var count: Int { _count }
    public var isEmpty: Bool { _count == 0 }

    /// The key group of a key hash.
    @inlinable public func group(forHash hash: UInt64) -> Int {
        KeyGroups.group(hash: hash, maxParallelism: maxParallelism)
    }

    /// The value of `key`, or nil.
    @inlinable public func value(_ key: Key, group: Int) -> Value? { groups[group][key]?.value }

    /// The entry (value and last write time) of `key`, or nil.
    @inlinable public func entry(_ key: Key, group: Int) -> Entry? { groups[group][key] }

    /// Writes `key`'s value in place (inserting `make()` first if absent) and touches the key at
    /// `touchedAt`. Returns what `body` returns.
    @inlinable public mutating func update<R>(_ key: Key, group: Int, touchedAt: EventTime,
                                              orInsert make: () -> Value, _ body: (inout Value) -> R) -> R {
        let before = groups[group].count
        let r = Self.mutate(&groups[group][key, default: Entry(value: make(), touchedAt: touchedAt)]) { e in
            if touchedAt > e.touchedAt { e.touchedAt = touchedAt }
            return body(&e.value)
        }
        if groups[group].count != before {
            _count += 1
            if let ttl = ttlMs { deadlines.push(Deadline(time: touchedAt.adding(ttl), group: group, key: key)) }
        }
        return r
    }

    /// Sets `key`'s value and touches it at `touchedAt`.
    @inlinable public mutating func set(_ value: Value, for key: Key, group: Int, touchedAt: EventTime) {
        update(key, group: group, touchedAt: touchedAt, orInsert: { value }) { $0 = value }
    }

    /// Changes `key`'s value in place without touching it; nil (and no call) when absent.
    @inlinable public mutating func modify<R>(_ key: Key, group: Int, _ body: (inout Value) -> R) -> R? {
        guard groups[group][key] != nil else { return nil }
        return Self.mutate(&groups[group][key]!.value, body)
    }

    /// Removes `key`; returns its value.
    @inlinable @discardableResult public mutating func remove(_ key: Key, group: Int) -> Value? {
        guard let e = groups[group].removeValue(forKey: key) else { return nil }
        _count -= 1
        return e.value
    }

    /// The number of keys in `group`.
    public func count(group: Int) -> Int { groups[group].count }

    /// The groups that hold at least one key, ascending.
    public var nonEmptyGroups: [Int] { groups.indices.filter { !groups[$0].isEmpty } }

    /// Every key and value of `group`, in no particular order.
    public func forEach(group: Int, _ body: (Key, Value) throws -> Void) rethrows {
        for (k, e) in groups[group] { try body(k, e.value) }
    }

    /// A copy of every group's entries: O(groups), sharing storage until either side writes.
    public func snapshot() -> [[Key: Entry]] { groups }

    /// Removes every key whose TTL deadline (`touchedAt + ttlMs`) is at or before `watermark`,
    /// calling `onExpire` for each in deadline order. Does nothing without a TTL.
    public mutating func expire(watermark: Watermark, _ onExpire: (Key, Int, Value) -> Void = { _, _, _ in }) {
        guard let ttl = ttlMs else { return }
        while let d = deadlines.pop(where: { $0.time <= watermark }) {
            guard let e = groups[d.group][d.key] else { continue }
            let due = e.touchedAt.adding(ttl)
            if due <= watermark {
                groups[d.group].removeValue(forKey: d.key)
                _count -= 1
                onExpire(d.key, d.group, e.value)
            } else {
                deadlines.push(Deadline(time: due, group: d.group, key: d.key))
            }
        }
    }

    /// Inserts `key` with `entry` as it was captured by ``snapshot()`` (restoring a checkpoint): the
    /// key keeps its last write time, and with a TTL gets its deadline `touchedAt + ttlMs`.
    /// Returns false, changing nothing, when `key` is already present.
    public mutating func restore(_ key: Key, group: Int, entry: Entry) -> Bool {
        guard groups[group][key] == nil else { return false }
        groups[group][key] = entry
        _count += 1
        if let ttl = ttlMs { deadlines.push(Deadline(time: entry.touchedAt.adding(ttl), group: group, key: key)) }
        return true
    }

    /// Makes room for `n` more keys in `group` (restoring a checkpoint, which knows the count).
    public mutating func reserveCapacity(_ n: Int, group: Int) {
        groups[group].reserveCapacity(groups[group].count + n)
    }

    /// The number of pending TTL deadlines (at least one per key when a TTL is set).
    public var pendingDeadlines: Int { deadlines.count }

    @inlinable static func mutate<T, R>(_ x: inout T, _ body: (inout T) -> R) -> R { body(&x) }
}

extension KeyedStateStore: Sendable where Value: Sendable {}
extension KeyedStateStore.Entry: Sendable where Value: Sendable {}
