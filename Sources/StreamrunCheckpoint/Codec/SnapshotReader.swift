import StreamrunCore

/// Reads the primitive encodings written by ``SnapshotWriter``, front to back.
///
/// Every read checks the bytes left first: truncated or malformed input throws a
/// ``StreamrunError`` with code ``StreamrunError/Code/checkpointCorrupt`` that says what was
/// being read and at which offset. It never traps, whatever the input.
///
/// - Important: A reader reads what it is told to; it cannot tell a `UInt32` from four bytes of a
///   string. Only the checksum of the enclosing state file says the bytes are the ones written.
public struct SnapshotReader: Sendable {
    public let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int
    /// Named in error messages, for example a file path; `nil` for none.
    public var context: String?

    /// Where reading stops: `bytes.count` unless a shorter prefix was given.
    public let end: Int

    public init(_ bytes: [UInt8], context: String? = nil) {
        self.init(bytes, end: bytes.count, context: context)
    }

    /// Reads only `bytes[0..<end]` (for a format whose trailer the caller has already consumed).
    init(_ bytes: [UInt8], end: Int, context: String? = nil) {
        precondition(end >= 0 && end <= bytes.count)
        self.bytes = bytes
        self.end = end
        self.offset = 0
        self.context = context
    }

    /// Bytes not read yet.
    public var remaining: Int { end - offset }

    public var isAtEnd: Bool { offset >= end }

    /// Throws unless every byte has been read (trailing garbage is corruption).
    public func expectEnd() throws(StreamrunError) {
        if remaining != 0 { throw fail("\(remaining) unexpected trailing byte\(remaining == 1 ? "" : "s") at offset \(offset)") }
    }

    public mutating func readUInt8() throws(StreamrunError) -> UInt8 {
        try need(1, "a byte")
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readUInt16() throws(StreamrunError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readLittleEndian(width: 2, "a UInt16"))
    }

    public mutating func readUInt32() throws(StreamrunError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readLittleEndian(width: 4, "a UInt32"))
    }

    public mutating func readUInt64() throws(StreamrunError) -> UInt64 { try readLittleEndian(width: 8, "a UInt64") }

    public mutating func readInt32() throws(StreamrunError) -> Int32 { Int32(bitPattern: try readUInt32()) }

    public mutating func readInt64() throws(StreamrunError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    /// Unsigned LEB128; more than 10 bytes, or a value above `UInt64.max`, is corrupt.
    public mutating func readVarUInt() throws(StreamrunError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else {
                throw fail("truncated varint at offset \(start): input ends after \(offset - start) byte(s)")
            }
            let b = bytes[offset]
            offset += 1
            if shift == 63 && b > 1 { throw fail("varint at offset \(start) overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Zigzag LEB128.
    public mutating func readVarInt() throws(StreamrunError) -> Int64 {
        let z = try readVarUInt()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    public mutating func readDouble() throws(StreamrunError) -> Double { Double(bitPattern: try readUInt64()) }

    /// One byte that must be 0 or 1.
    public mutating func readBool() throws(StreamrunError) -> Bool {
        let at = offset
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let b: throw fail("expected a bool (0 or 1) at offset \(at), got \(b)")
        }
    }

    /// A LEB128 length, then that many bytes.
    public mutating func readBytes() throws(StreamrunError) -> [UInt8] {
        let n = try readLength("byte string")
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// A LEB128 length, then that many bytes of valid UTF-8.
    public mutating func readString() throws(StreamrunError) -> String {
        let at = offset
        let n = try readLength("string")
        defer { offset += n }
        guard let s = String(validating: bytes[offset..<offset + n], as: UTF8.self) else {
            throw fail("string at offset \(at) is not valid UTF-8")
        }
        return s
    }

    /// An element count written by ``SnapshotWriter/writeCount(_:)``. It may not exceed the bytes
    /// left (each element takes at least one byte), so garbage cannot make a caller reserve gigabytes.
    public mutating func readCount() throws(StreamrunError) -> Int {
        let at = offset
        let n = try readVarUInt()
        guard n <= UInt64(remaining) else { throw fail("count \(n) at offset \(at) exceeds the \(remaining) bytes left") }
        return Int(n)
    }

    /// `n` bytes with no length prefix.
    public mutating func readRaw(_ n: Int) throws(StreamrunError) -> [UInt8] {
        guard n >= 0 else { throw fail("negative length \(n)") }
        try need(n, "\(n) raw bytes")
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// A corrupt-data error naming ``context``.
    public func fail(_ message: String) -> StreamrunError { .corrupt(message, at: context) }

    // MARK: - Private

    private mutating func readLength(_ what: String) throws(StreamrunError) -> Int {
        let at = offset
        let n = try readVarUInt()
        guard n <= UInt64(remaining) else {
            throw fail("truncated \(what) at offset \(at): length \(n), but only \(remaining) bytes left")
        }
        return Int(n)
    }

    private func need(_ n: Int, _ what: String) throws(StreamrunError) {
        if remaining < n { throw fail("truncated input: expected \(what) at offset \(offset), \(remaining) byte(s) left") }
    }

    private mutating func readLittleEndian(width: Int, _ what: String) throws(StreamrunError) -> UInt64 {
        try need(width, what)
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += width
        return v
    }
}
