/// ASCII bytes the format scanners look for.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let colon: UInt8 = 0x3A
    static let upperE: UInt8 = 0x45
    static let lbracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rbracket: UInt8 = 0x5D
    static let lowerE: UInt8 = 0x65
    static let lbrace: UInt8 = 0x7B
    static let rbrace: UInt8 = 0x7D
}

/// Eight-bytes-at-a-time searches (SWAR) over unaligned memory.
///
/// Each mask has the high bit set in the bytes that match; bits above the first match may be false
/// positives (borrows), so only the lowest set bit is meaningful.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// Bytes equal to `b`.
    @inline(__always) static func equal(_ v: UInt64, _ b: UInt8) -> UInt64 {
        let x = v ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highs
    }

    /// Bytes below `n` (n <= 128).
    @inline(__always) static func less(_ v: UInt64, _ n: UInt8) -> UInt64 {
        (v &- ones &* UInt64(n)) & ~v & highs
    }

    /// How many of the 8 bytes, from the first, are ASCII digits (0–8).
    @inline(__always) static func digitCount(_ v: UInt64) -> Int {
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let zeros = ones &* 0x30
        // Nonzero bytes where the byte is not in 0x30...0x39 (a carry from a non-digit byte can only
        // spoil the bytes after it, which do not count).
        let bad = ((v & highNibbles) ^ zeros) | (((v &+ ones &* 6) & highNibbles) ^ zeros)
        let flags = (((bad & ~highs) &+ ~highs) | bad) & highs
        return flags == 0 ? 8 : flags.trailingZeroBitCount &>> 3
    }

    /// The value of the first `k` (1–8) bytes of `v`, which are ASCII digits, most significant first.
    @inline(__always) static func digitsValue(_ v: UInt64, _ k: Int) -> UInt64 {
        // Borrows from the non-digit bytes only reach the bytes after them, which the shift drops;
        // the shift leaves zeros (digit value 0) in front.
        var x = (v &- ones &* 0x30) &<< UInt64(8 &* (8 &- k))
        x = x &* 10 &+ (x &>> 8)
        let pairs: UInt64 = 0x0000_00FF_0000_00FF
        return ((x & pairs) &* (100 &+ (1_000_000 &<< 32)) &+ ((x &>> 16) & pairs) &* (1 &+ (10_000 &<< 32))) &>> 32
    }

    /// 10^k for 0 ≤ k ≤ 8.
    @inline(__always) static func powerOfTen(_ k: Int) -> UInt64 {
        switch k {
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        case 8: return 100_000_000
        default: return 1
        }
    }

    /// Index (0–7) of the first flagged byte of a nonzero mask.
    @inline(__always) static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount &>> 3 }
}

/// Number parsing over raw bytes, shared by the decoders.
enum NumberScan {
    enum IntStatus { case ok, overflow, noDigits }

    /// Parses an optional sign and decimal digits at `p[i..<end]`, moving `i` past them.
    ///
    /// `allowPlus` also accepts a leading `+`. Leading zeros are accepted (JSON callers check them).
    /// On overflow `i` still moves past every digit.
    @inline(__always)
    static func int64(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, allowPlus: Bool = false)
        -> (value: Int64, status: IntStatus)
    {
        var j = i
        var negative = false
        if j < end {
            if p[j] == ASCII.minus {
                negative = true
                j &+= 1
            } else if allowPlus && p[j] == ASCII.plus {
                j &+= 1
            }
        }
        let digitsStart = j
        while j < end && p[j] == ASCII.zero { j &+= 1 }
        let significantStart = j
        var magnitude: UInt64 = 0
        // Up to 8 digits per step; the byte loop below finishes near the end of the buffer.
        while j &+ 8 <= end {
            let v = SWAR.load(p + j)
            let k = SWAR.digitCount(v)
            if k == 0 { break }
            magnitude = magnitude &* SWAR.powerOfTen(k) &+ SWAR.digitsValue(v, k)
            j &+= k
            if k < 8 {
                i = j
                return finish(magnitude, negative, j, digitsStart, significantStart)
            }
        }
        while j < end {
            let d = p[j] &- ASCII.zero
            if d > 9 { break }
            magnitude = magnitude &* 10 &+ UInt64(d)
            j &+= 1
        }
        i = j
        return finish(magnitude, negative, j, digitsStart, significantStart)
    }

    @inline(__always)
    static func finish(_ magnitude: UInt64, _ negative: Bool, _ j: Int, _ digitsStart: Int, _ significantStart: Int)
        -> (value: Int64, status: IntStatus)
    {
        if j == digitsStart { return (0, .noDigits) }
        // 19 digits never wrap a UInt64 (10^19 < 2^64); more always overflow an Int64.
        if j &- significantStart > 19 { return (0, .overflow) }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if magnitude > limit { return (0, .overflow) }
        return (negative ? Int64(bitPattern: 0 &- magnitude) : Int64(bitPattern: magnitude), .ok)
    }

    /// Exact powers of ten as doubles (10^0 … 10^22 are exactly representable).
    static let powersOfTen: [Double] = (0...22).map { k in
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    /// Parses a number at `p[i..<end]`: JSON grammar (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or with
    /// `lenient` also a leading `+` and leading zeros. Moves `i` past it; nil when the bytes at `i`
    /// do not start a valid number (then `i` is unspecified).
    ///
    /// Decimals with at most 19 significant digits whose value is `w × 10^e`, `w ≤ 2^53`, `|e| ≤ 22`
    /// are computed exactly with one multiplication or division (Clinger's fast path); anything
    /// else goes through the standard library's correctly rounded conversion.
    static func double(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, lenient: Bool = false) -> Double? {
        let start = i
        var j = i
        var negative = false
        if j < end && p[j] == ASCII.minus {
            negative = true
            j &+= 1
        } else if lenient && j < end && p[j] == ASCII.plus {
            j &+= 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var exact = true
        let intStart = j
        while j < end {
            let d = p[j] &- ASCII.zero
            if d > 9 { break }
            if mantissa != 0 || d != 0 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significant &+= 1
                } else {
                    exact = false
                }
            }
            j &+= 1
        }
        let intDigits = j &- intStart
        if intDigits == 0 { return nil }
        if !lenient && intDigits > 1 && p[intStart] == ASCII.zero { return nil }
        if j < end && p[j] == ASCII.dot {
            j &+= 1
            let fracStart = j
            while j < end {
                let d = p[j] &- ASCII.zero
                if d > 9 { break }
                if mantissa != 0 || d != 0 {
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant &+= 1
                    } else {
                        exact = false
                    }
                }
                exponent &-= 1
                j &+= 1
            }
            if j == fracStart { return nil }
        }
        if j < end && (p[j] | 0x20) == ASCII.lowerE {
            j &+= 1
            var expNegative = false
            if j < end && (p[j] == ASCII.minus || p[j] == ASCII.plus) {
                expNegative = p[j] == ASCII.minus
                j &+= 1
            }
            let expStart = j
            var e = 0
            while j < end {
                let d = p[j] &- ASCII.zero
                if d > 9 { break }
                if e < 100_000 { e = e &* 10 &+ Int(d) }
                j &+= 1
            }
            if j == expStart { return nil }
            exponent &+= expNegative ? -e : e
        }
        i = j
        if exact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var v = Double(mantissa)
            if exponent < 0 { v /= powersOfTen[-exponent] } else if exponent > 0 { v *= powersOfTen[exponent] }
            return negative ? -v : v
        }
        return slowDouble(UnsafeBufferPointer(start: p + start, count: j &- start))
    }

    /// The correctly rounded value of a validated decimal, via the standard library.
    @inline(never)
    static func slowDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: text, as: UTF8.self))
    }
}

/// Short renderings of input bytes for error messages.
enum Snippet {
    /// The bytes as text, cut to `limit` bytes with an ellipsis.
    static func text(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = 40) -> String {
        if bytes.count <= limit { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<limit]), as: UTF8.self) + "…"
    }

    /// The byte as a quoted character for messages: `'x'`, or its code for control bytes.
    static func character(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16, uppercase: true)
    }
}
