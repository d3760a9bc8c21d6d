/// UTF-8 validation of the bytes of string fields, with an ASCII fast path.
///
/// Decoders first ask whether a field has any byte ≥ 0x80 (eight bytes at a time, or folded into the
/// scan that finds the end of the field); only such fields go through ``firstInvalid(_:_:_:)``, so
/// ASCII data pays one OR per eight bytes.
enum UTF8Check {
    /// True when no byte of `p[start..<end]` is ≥ 0x80.
    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var j = start
        var bits: UInt64 = 0
        while j &+ 8 <= end {
            bits |= SWAR.load(p + j)
            j &+= 8
        }
        while j < end {
            bits |= UInt64(p[j])
            j &+= 1
        }
        return bits & SWAR.highs == 0
    }

    /// The offset of the first byte of `p[start..<end]` that does not begin a well-formed UTF-8
    /// sequence (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF,
    /// no truncated sequence), or nil when all of it is valid.
    static func firstInvalid(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        while i < end {
            let lead = p[i]
            if lead < 0x80 {
                i &+= 1
                continue
            }
            var length = 0
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard end &- i >= length, p[i &+ 1] >= low, p[i &+ 1] <= high else { return i }
            var k = 2
            while k < length {
                if p[i &+ k] & 0xC0 != 0x80 { return i }
                k &+= 1
            }
            i &+= length
        }
        return nil
    }

    /// The complaint about string field `name` whose bytes `p[start..<end]` are not valid UTF-8, or
    /// nil when they are: `field "s": invalid UTF-8 (byte 0xFF after "caf"); string fields must be UTF-8`.
    @inline(never)
    static func problem(field name: String, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        guard let bad = firstInvalid(p, start, end) else { return nil }
        // Up to 20 valid bytes before it, starting on a character boundary.
        var from = max(start, bad &- 20)
        while from < bad && p[from] & 0xC0 == 0x80 { from &+= 1 }
        let context = from == bad ? "at its start"
            : "after \"" + Snippet.text(UnsafeBufferPointer(start: p + from, count: bad &- from)) + "\""
        return "field \"\(name)\": invalid UTF-8 (byte 0x\(String(p[bad], radix: 16, uppercase: true)) \(context)); "
            + "string fields must be UTF-8"
    }
}
