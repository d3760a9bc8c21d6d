import StreamrunCheckpoint
import StreamrunCore

/// The key of keyed state: built per batch from the key columns, hashed by Swift's `Hasher` inside
/// one subtask (never for routing: routing uses ``RecordBatch/keyHashes(_:)``), and ordered like its
/// canonical encoding (``KeyCodec``) so output order never depends on hashing.
///
/// Two representations exist so the hot path stays cheap: ``IntStateKey`` for the common single
/// int/timestamp key (no allocation per row) and ``BytesStateKey`` for everything else.
public protocol StateKey: Hashable, Comparable, Sendable {
    /// The key of every row of `batch`, from the columns `fields` whose types are `types`.
    static func keys(of batch: RecordBatch, fields: [Int], types: [FieldType]) -> [Self]
    /// The canonical encoding of this key (see ``KeyCodec``).
    func canonicalBytes(types: [FieldType]) -> [UInt8]
    /// Appends the key's fields to `builder`, starting at column `first`.
    func append(to builder: inout BatchBuilder, firstColumn first: Int)
    /// The key whose canonical encoding is `bytes`; nil unless `bytes` is a valid encoding of a key
    /// of `types` (see ``KeyCodec/problem(in:types:)``), so restoring never traps on bad input.
    init?(canonicalBytes bytes: [UInt8], types: [FieldType])
    /// Writes the canonical encoding with its length prefix (`writeBytes`) — what checkpoints store.
    func writeCanonical(types: [FieldType], to w: inout SnapshotWriter)
    /// A number that orders like the key as far as it goes: `a < b` implies
    /// `a.orderPrefix <= b.orderPrefix`. Sorting by it, then by the key on ties, is sorting by the
    /// key, with integer compares for almost every comparison (checkpoints sort every key).
    var orderPrefix: UInt64 { get }
}

extension StateKey {
    public func writeCanonical(types: [FieldType], to w: inout SnapshotWriter) { w.writeBytes(canonicalBytes(types: types)) }

    /// The key's fields as values (cold path).
    public func values(types: [FieldType]) -> [Value] { KeyCodec.decode(canonicalBytes(types: types)) }
}

/// A single int or timestamp key field; `isNull` marks a null key (which sorts first).
public struct IntStateKey: StateKey {
    public var value: Int64
    public var isNull: Bool

    @inlinable public init(_ value: Int64, isNull: Bool = false) {
        self.value = isNull ? 0 : value
        self.isNull = isNull
    }

    /// True when keys of `types` can use this representation.
    public static func fits(_ types: [FieldType]) -> Bool {
        types.count == 1 && (types[0] == .int || types[0] == .timestamp)
    }

    @inlinable public static func keys(of batch: RecordBatch, fields: [Int], types: [FieldType]) -> [IntStateKey] {
        precondition(fields.count == 1, "IntStateKey needs exactly one key field")
        let col = batch.columns[fields[0]]
        guard case .int(let a) = col.storage else { preconditionFailure("IntStateKey needs an int column") }
        if let valid = col.validity {
            return (0..<batch.count).map { IntStateKey(a[$0], isNull: !valid[$0]) }
        }
        return a.map { IntStateKey($0) }
    }

    public func canonicalBytes(types: [FieldType]) -> [UInt8] {
        KeyCodec.encode([isNull ? .null : (types.first == .timestamp ? .timestamp(value) : .int(value))])
    }

    /// The same bytes as `writeBytes(canonicalBytes(types:))`, without building an array per key.
    public func writeCanonical(types: [FieldType], to w: inout SnapshotWriter) {
        if isNull {
            w.writeVarUInt(1)
            w.writeUInt8(KeyCodec.nullTag)
        } else {
            w.writeVarUInt(9)
            w.writeUInt8(types.first == .timestamp ? KeyCodec.timestampTag : KeyCodec.intTag)
            w.writeUInt64BigEndian(UInt64(bitPattern: value) ^ (1 << 63))
        }
    }

    public init?(canonicalBytes bytes: [UInt8], types: [FieldType]) {
        guard Self.fits(types), KeyCodec.problem(in: bytes, types: types) == nil else { return nil }
        if bytes.count == 1 {
            self.init(0, isNull: true)
        } else {
            self.init(Int64(bitPattern: KeyCodec.readBigEndian(bytes, at: 1) ^ (1 << 63)))
        }
    }

    public func append(to builder: inout BatchBuilder, firstColumn first: Int) {
        if isNull { builder.appendNull(first) } else { builder.appendInt(first, value) }
    }

    /// Null first (0, shared with `Int64.min`, which the key comparison separates), then by value.
    @inlinable public var orderPrefix: UInt64 { isNull ? 0 : UInt64(bitPattern: value) ^ (1 << 63) }

    @inlinable public static func < (a: IntStateKey, b: IntStateKey) -> Bool {
        if a.isNull != b.isNull { return a.isNull }
        return a.value < b.value
    }
}

/// Any key, as its canonical encoding (see ``KeyCodec``); the empty encoding is the global key.
public struct BytesStateKey: StateKey {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public static func keys(of batch: RecordBatch, fields: [Int], types: [FieldType]) -> [BytesStateKey] {
        if fields.isEmpty { return [BytesStateKey](repeating: BytesStateKey([]), count: batch.count) }
        var out: [BytesStateKey] = []
        out.reserveCapacity(batch.count)
        var estimate = 0
        for i in 0..<batch.count {
            var b: [UInt8] = []
            b.reserveCapacity(estimate)
            for (k, f) in fields.enumerated() { KeyCodec.append(batch.columns[f], row: i, type: types[k], to: &b) }
            estimate = Swift.max(estimate, b.count)
            out.append(BytesStateKey(b))
        }
        return out
    }

    public func canonicalBytes(types: [FieldType]) -> [UInt8] { bytes }

    public init?(canonicalBytes bytes: [UInt8], types: [FieldType]) {
        guard KeyCodec.problem(in: bytes, types: types) == nil else { return nil }
        self.init(bytes)
    }

    public func append(to builder: inout BatchBuilder, firstColumn first: Int) {
        KeyCodec.appendDecoded(bytes, to: &builder, firstColumn: first)
    }

    public static func < (a: BytesStateKey, b: BytesStateKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// The first 8 bytes, big-endian, zero-padded.
    public var orderPrefix: UInt64 {
        var p: UInt64 = 0
        for i in 0..<8 { p = p << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
        return p
    }
}
