/// A column of UTF-8 strings stored back to back in one byte buffer.
///
/// String `i` is `bytes[offsets[i]..<offsets[i+1]]`. Appending and reading never allocate per string.
public struct StringArray: Sendable, Hashable {
    public var bytes: [UInt8]
    public var offsets: [Int32]

    public init() {
        bytes = []
        offsets = [0]
    }

    public init(bytes: [UInt8], offsets: [Int32]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    public init<S: Sequence>(_ strings: S) where S.Element == String {
        self.init()
        for s in strings { append(s) }
    }

    @inlinable public var count: Int { offsets.count - 1 }

    @inlinable public mutating func reserve(strings: Int, bytes n: Int) {
        offsets.reserveCapacity(offsets.count + strings)
        bytes.reserveCapacity(bytes.count + n)
    }

    @inlinable public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(bytes: $0) }
    }

    @inlinable public mutating func append(bytes buf: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buf)
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    @inlinable public mutating func append(bytes buf: [UInt8]) {
        bytes.append(contentsOf: buf)
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    /// Appends an empty string (used for null slots).
    @inlinable public mutating func appendEmpty() {
        offsets.append(offsets[offsets.count - 1])
    }

    /// Appends string `i` of `other`.
    @inlinable public mutating func append(from other: StringArray, at i: Int) {
        let lo = Int(other.offsets[i]), hi = Int(other.offsets[i + 1])
        bytes.append(contentsOf: other.bytes[lo..<hi])
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    @inlinable public func range(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    @inlinable public func length(_ i: Int) -> Int { Int(offsets[i + 1] - offsets[i]) }

    public subscript(i: Int) -> String {
        let r = range(i)
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }

    /// Calls `body` with the bytes of string `i`.
    @inlinable public func withBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = range(i)
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[r])) }
    }
}
