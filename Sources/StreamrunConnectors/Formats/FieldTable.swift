import StreamrunCore
import StreamrunPlan

/// A schema's field names, types and constraint flags behind stable pointers, for key matching and
/// value checks on the hot path.
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
    /// For each column, the first 16 bytes of `name"` as two little-endian words, and masks that
    /// keep only the bytes that belong to it: most keys match with one or two word compares.
    let keyWords: UnsafeMutablePointer<UInt64>
    let keyMasks: UnsafeMutablePointer<UInt64>
    /// Per column, the ``FieldFlags`` of its constraints: zero for a column without any, which is
    /// all a decoder tests for it.
    let flags: UnsafeMutablePointer<UInt8>
    /// The constraints themselves, for the columns whose flags ask for a check: a trivial value over
    /// `constraintTable`'s buffers, so that calling a check retains nothing.
    let checks: FieldChecks
    private let constraintTable: FieldConstraintTable

    /// - Parameter constraints: aligned with `schema.fields`; empty or shorter means none.
    init(_ schema: Schema, constraints: [FieldConstraints?] = []) {
        count = schema.count
        names = schema.names
        constraintTable = FieldConstraintTable(schema, constraints)
        checks = constraintTable.checks
        flags = .allocate(capacity: max(count, 1))
        for c in 0..<count { (flags + c).initialize(to: FieldFlags.of(constraintTable.constraints[c])) }
        types = .allocate(capacity: max(count, 1))
        nameStart = .allocate(capacity: max(count, 1))
        nameLength = .allocate(capacity: max(count, 1))
        rawMatchable = .allocate(capacity: max(count, 1))
        keyWords = .allocate(capacity: max(2 * count, 1))
        keyMasks = .allocate(capacity: max(2 * count, 1))
        var all: [UInt8] = []
        for (c, field) in schema.fields.enumerated() {
            let bytes = Array(field.name.utf8)
            let matchable = !bytes.contains(ASCII.quote) && !bytes.contains(ASCII.backslash)
            (types + c).initialize(to: field.type)
            (nameStart + c).initialize(to: all.count)
            (nameLength + c).initialize(to: bytes.count)
            (rawMatchable + c).initialize(to: matchable)
            let quoted = bytes + [ASCII.quote]
            for w in 0..<2 {
                // An unmatchable name gets a word that no masked load equals.
                var word: UInt64 = matchable ? 0 : 1
                var mask: UInt64 = 0
                for b in 0..<8 where matchable && w * 8 + b < quoted.count {
                    word |= UInt64(quoted[w * 8 + b]) << (8 * b)
                    mask |= 0xFF << (8 * b)
                }
                (keyWords + 2 * c + w).initialize(to: word)
                (keyMasks + 2 * c + w).initialize(to: mask)
            }
            all += bytes
        }
        nameBytes = .allocate(capacity: max(all.count, 1))
        nameBytes.initialize(from: all, count: all.count)
    }

    deinit {
        flags.deallocate()
        types.deallocate()
        nameStart.deallocate()
        nameLength.deallocate()
        rawMatchable.deallocate()
        keyWords.deallocate()
        keyMasks.deallocate()
        nameBytes.deallocate()
    }

    /// True when `p[i...]` starts with name `c` followed by a closing quote.
    @inline(__always)
    func matchesKey(_ c: Int, _ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        let n = nameLength[c]
        if n < 16 && i &+ 16 <= end {
            // One or two word compares of `name"` (a name with `"` or `\` has a zero mask here, so
            // it cannot match: it always goes through the lookup).
            let w = 2 &* c
            guard SWAR.load(p + i) & keyMasks[w] == keyWords[w] else { return false }
            return n < 8 || SWAR.load(p + (i &+ 8)) & keyMasks[w &+ 1] == keyWords[w &+ 1]
        }
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
