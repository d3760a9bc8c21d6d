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
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written so far.
    public var count: Int { bytes.count }

    public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }

    public mutating func writeUInt16(_ v: UInt16) { appendLittleEndian(UInt64(v), width: 2) }

    public mutating func writeUInt32(_ v: UInt32) { appendLittleEndian(UInt64(v), width: 4) }

    public mutating func writeUInt64(_ v: UInt64) { appendLittleEndian(v, width: 8) }

    public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }

    public mutating func writeInt64(_ v: Int64) { writeUInt64(UInt64(bitPattern: v)) }

    /// Unsigned LEB128: 1 byte below 128, at most 10 bytes.
    public mutating func writeVarUInt(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zigzag then LEB128, so small negative numbers stay small: 0→0, -1→1, 1→2, -2→3.
    public mutating func writeVarInt(_ v: Int64) { writeVarUInt(SnapshotWriter.zigzag(v)) }

    /// The IEEE 754 bit pattern, so every value (NaN payloads, -0.0, infinities) round-trips exactly.
    public mutating func writeDouble(_ v: Double) { writeUInt64(v.bitPattern) }

    public mutating func writeBool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    /// 8 bytes, big-endian (for order-preserving key encodings, not for integers in general).
    public mutating func writeUInt64BigEndian(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A LEB128 length, then the bytes.
    public mutating func writeBytes(_ b: some Collection<UInt8>) {
        writeVarUInt(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// A LEB128 length, then the UTF-8 bytes.
    public mutating func writeString(_ s: String) { writeBytes(Array(s.utf8)) }

    /// An element count (for example of a map that follows); must not be negative.
    public mutating func writeCount(_ n: Int) {
        precondition(n >= 0, "negative count")
        writeVarUInt(UInt64(n))
    }

    /// Bytes with no length prefix.
    public mutating func writeRaw(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }

    /// Zigzag encoding of a signed integer.
    public static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    private mutating func appendLittleEndian(_ v: UInt64, width: Int) {
        for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}
