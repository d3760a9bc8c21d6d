import StreamrunCore

/// A schema's field names and types behind stable pointers, for key matching on the hot path.
///
/// Immutable after `init`, hence safe to share between decoder copies on any thread.
final class FieldTable: @unchecked Sendable {
    let count: Int
    let names: [String]
    let types: UnsafeMutablePointer<FieldType>
    /// Every name's UTF-8 bytes back to back; name `c` is `nameBytes[nameStart[c] ..< nameStart[c] + nameLength[c]]`.
    let nameBytes: UnsafeMutablePointer<UInt8>
    let nameStart: UnsafeMutablePointer<Int>
    let nameLength: UnsafeMutablePointer<Int>
    /// False for names containing `"` or `\`, which must not be matched against raw key bytes.
    let rawMatchable: UnsafeMutablePointer<Bool>

    init(_ schema: Schema) {
        count = schema.count
        names = schema.names
        types = .allocate(capacity: max(count, 1))
        nameStart = .allocate(capacity: max(count, 1))
        nameLength = .allocate(capacity: max(count, 1))
        rawMatchable = .allocate(capacity: max(count, 1))
        var all: [UInt8] = []
        for (c, field) in schema.fields.enumerated() {
            let bytes = Array(field.name.utf8)
            (types + c).initialize(to: field.type)
            (nameStart + c).initialize(to: all.count)
            (nameLength + c).initialize(to: bytes.count)
            (rawMatchable + c).initialize(to: !bytes.contains(ASCII.quote) && !bytes.contains(ASCII.backslash))
            all += bytes
        }
        nameBytes = .allocate(capacity: max(all.count, 1))
        nameBytes.initialize(from: all, count: all.count)
    }

    deinit {
        types.deallocate()
        nameStart.deallocate()
        nameLength.deallocate()
        rawMatchable.deallocate()
        nameBytes.deallocate()
    }

    /// True when `p[i...]` starts with name `c` followed by a closing quote.
    @inline(__always)
    func matchesKey(_ c: Int, _ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        let n = nameLength[c]
        guard i &+ n < end, p[i &+ n] == ASCII.quote, rawMatchable[c] else { return false }
        let name = nameBytes + nameStart[c]
        var k = 0
        while k < n {
            if p[i &+ k] != name[k] { return false }
            k &+= 1
        }
        return true
    }

    /// The column called `key` (decoded bytes), or -1. Linear: schemas are small, and the key-order
    /// guess makes this path rare.
    func column(named key: UnsafeBufferPointer<UInt8>) -> Int {
        for c in 0..<count where nameLength[c] == key.count {
            let name = nameBytes + nameStart[c]
            var k = 0
            while k < key.count && key[k] == name[k] { k += 1 }
            if k == key.count { return c }
        }
        return -1
    }
}
