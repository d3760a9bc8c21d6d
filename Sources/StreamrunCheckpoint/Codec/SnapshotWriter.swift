/// Appends the primitive encodings of the snapshot format to a byte buffer.
///
/// Operators serialize their state with it (one buffer per key group or named section) and
/// ``StateFile`` uses it for the file itself. Every encoding is little-endian and fixed by
/// `docs/checkpoint-format.md`; ``SnapshotReader`` reads each one back:
///
/// | method | encoding |
/// |---|---|
/// | `writeUInt8/16/32/64`, `writeInt32/64` | fixed width, little-endian, two's complement |
/// | `writeVarUInt` | unsigned LEB128: 7 bits per byte, low group first, high bit = more |
/// | `writeVarInt` | zigzag (`(n << 1) ^ (n >> 63)`), then LEB128 |
/// | `writeDouble` | IEEE 754 bit pattern as a fixed little-endian `UInt64` |
/// | `writeBool` | one byte, 0 or 1 |
/// | `writeBytes`, `writeString` | LEB128 length, then the bytes (strings as UTF-8) |
/// | `writeCount` | a LEB128 element count (the reader bounds it by the bytes left) |
///
/// Writing never fails; the buffer grows as needed.
public struct SnapshotWriter: Sendable {
    /// Everything written so far.
    public var bytes: [UInt8] { _bytes }
    // Inlinable writes: operators call them per key and per value while snapshotting.
    @usableFromInline var _bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        _bytes = []
        _bytes.reserveCapacity(capacity)
    }

    /// Forgets everything written (for reusing one writer as a scratch buffer).
    @inlinable public mutating func removeAll(keepingCapacity: Bool = false) {
        _bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Calls `body` with the bytes written so far, without copying them.
    @inlinable public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try _bytes.withUnsafeBufferPointer(body)
    }

    /// The number of bytes written so far.
    @inlinable public var count: Int { _bytes.count }

    @inlinable public mutating func writeUInt8(_ v: UInt8) { _bytes.append(v) }

    @inlinable public mutating func writeUInt16(_ v: UInt16) { appendLittleEndian(UInt64(v), width: 2) }

    @inlinable public mutating func writeUInt32(_ v: UInt32) { appendLittleEndian(UInt64(v), width: 4) }

    @inlinable public mutating func writeUInt64(_ v: UInt64) { appendLittleEndian(v, width: 8) }

    @inlinable public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }

    @inlinable public mutating func writeInt64(_ v: Int64) { writeUInt64(UInt64(bitPattern: v)) }

    /// Unsigned LEB128: 1 byte below 128, at most 10 bytes.
    @inlinable public mutating func writeVarUInt(_ v: UInt64) {
        if v < 0x80 {
            _bytes.append(UInt8(v))
            return
        }
        // Longer values: one append of the stack-encoded bytes instead of one per byte.
        writePacked { $0.writeVarUInt(v) }
    }

    /// Writes a few small fields with one append: `body` encodes them into a 48-byte stack
    /// buffer (varints and bytes only, at most 48 bytes — a precondition). For per-key hot paths,
    /// where one capacity check per field is a measurable share of a snapshot.
    @inlinable public mutating func writePacked(_ body: (inout PackedBytes) -> Void) {
        var p = PackedBytes()
        body(&p)
        withUnsafeBytes(of: &p.storage) { _bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<p.count])) }
    }

    /// Zigzag then LEB128, so small negative numbers stay small: 0→0, -1→1, 1→2, -2→3.
    @inlinable public mutating func writeVarInt(_ v: Int64) { writeVarUInt(SnapshotWriter.zigzag(v)) }

    /// The IEEE 754 bit pattern, so every value (NaN payloads, -0.0, infinities) round-trips exactly.
    @inlinable public mutating func writeDouble(_ v: Double) { writeUInt64(v.bitPattern) }

    @inlinable public mutating func writeBool(_ v: Bool) { _bytes.append(v ? 1 : 0) }

    /// 8 bytes, big-endian (for order-preserving key encodings, not for integers in general).
    @inlinable public mutating func writeUInt64BigEndian(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { _bytes.append(contentsOf: $0) }
    }

    /// A LEB128 length, then the bytes.
    @inlinable public mutating func writeBytes(_ b: some Collection<UInt8>) {
        writeVarUInt(UInt64(b.count))
        _bytes.append(contentsOf: b)
    }

    /// A LEB128 length, then the UTF-8 bytes.
    @inlinable public mutating func writeString(_ s: String) { writeBytes(Array(s.utf8)) }

    /// An element count (for example of a map that follows); must not be negative.
    @inlinable public mutating func writeCount(_ n: Int) {
        precondition(n >= 0, "negative count")
        writeVarUInt(UInt64(n))
    }

    /// Bytes with no length prefix.
    @inlinable public mutating func writeRaw(_ b: some Sequence<UInt8>) { _bytes.append(contentsOf: b) }

    /// Zigzag encoding of a signed integer.
    @inlinable public static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inlinable mutating func appendLittleEndian(_ v: UInt64, width: Int) {
        for i in 0..<width { _bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}

/// Up to 48 bytes of varints and bytes, encoded on the stack; see ``SnapshotWriter/writePacked(_:)``.
public struct PackedBytes {
    @usableFromInline var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    @usableFromInline var count = 0

    @inlinable init() {}

    @inlinable public mutating func writeUInt8(_ v: UInt8) {
        precondition(count < 48, "PackedBytes holds at most 48 bytes")
        let i = count
        withUnsafeMutableBytes(of: &storage) { $0[i] = v }
        count += 1
    }

    /// The same bytes as ``SnapshotWriter/writeVarUInt(_:)``.
    @inlinable public mutating func writeVarUInt(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            writeUInt8(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        writeUInt8(UInt8(v))
    }

    /// The same bytes as ``SnapshotWriter/writeVarInt(_:)``.
    @inlinable public mutating func writeVarInt(_ v: Int64) { writeVarUInt(SnapshotWriter.zigzag(v)) }

    /// The same bytes as ``SnapshotWriter/writeCount(_:)``.
    @inlinable public mutating func writeCount(_ n: Int) {
        precondition(n >= 0, "negative count")
        writeVarUInt(UInt64(n))
    }
}
