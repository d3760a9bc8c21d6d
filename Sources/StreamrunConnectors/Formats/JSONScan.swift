#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore

/// A problem inside one record, positioned by buffer offset; the decoder turns it into a ``DecodeError``.
struct RecordProblem: Error {
    var message: String
    /// Buffer offset where the problem was found, if known.
    var position: Int?
    /// True for JSON syntax errors, reported as `invalid JSON at column N: …`.
    var syntax: Bool
    /// The column at fault, or -1.
    var column: Int = -1
    /// The rule the record broke.
    var rule: DeadLetter.Rule = .type

    static func syntax(_ position: Int, _ what: String) -> RecordProblem {
        RecordProblem(message: what, position: position, syntax: true, rule: .syntax)
    }

    static func value(_ message: String, at position: Int? = nil, column: Int = -1, rule: DeadLetter.Rule = .type) -> RecordProblem {
        RecordProblem(message: message, position: position, syntax: false, column: column, rule: rule)
    }

    /// The public error: columns count from `lineStart` (1-based); `names` names the fields.
    func decodeError(lineStart: Int, consumed: DecodeProgress, names: [String]) -> DecodeError {
        let at = position.map { $0 - lineStart + 1 }
        let field = column >= 0 && column < names.count ? names[column] : nil
        if syntax, let at {
            return DecodeError("invalid JSON at column \(at): \(message)", consumed: consumed, column: at, field: field, rule: rule)
        }
        return DecodeError(message, consumed: consumed, column: at, field: field, rule: rule)
    }
}

/// JSON tokens over raw bytes `p[i..<end]`, where `end` is the end of the line.
///
/// Functions that take `i` inout move it past what they read.
enum JSONScan {
    @inline(__always) static func skipWhitespace(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) {
        while i < end {
            let c = p[i]
            if c > ASCII.space || (c != ASCII.space && c != ASCII.tab && c != ASCII.cr && c != ASCII.newline) { return }
            i &+= 1
        }
    }

    /// Index of the first `"`, `\` or control byte at or after `i`, or `end`.
    @inline(__always) static func stringStop(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var j = i
        while j &+ 8 <= end {
            let v = SWAR.load(p + j)
            let mask = SWAR.equal(v, ASCII.quote) | SWAR.equal(v, ASCII.backslash) | SWAR.less(v, 0x20)
            if mask != 0 { return j &+ SWAR.first(mask) }
            j &+= 8
        }
        while j < end {
            let c = p[j]
            if c == ASCII.quote || c == ASCII.backslash || c < 0x20 { return j }
            j &+= 1
        }
        return end
    }

    /// ``stringStop(_:_:_:)`` that also reports whether a byte before the stop is ≥ 0x80 (then the
    /// caller validates the string as UTF-8). The check is one OR per eight bytes.
    @inline(__always) static func stringStop(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, nonASCII: inout Bool) -> Int {
        var j = i
        var bits: UInt64 = 0
        while j &+ 8 <= end {
            let v = SWAR.load(p + j)
            let mask = SWAR.equal(v, ASCII.quote) | SWAR.equal(v, ASCII.backslash) | SWAR.less(v, 0x20)
            if mask != 0 {
                // The high bit of the first match is bit 8k+7; keep the k bytes before it.
                let before = UInt64(mask.trailingZeroBitCount &- 7)
                bits |= v & ((1 &<< before) &- 1)
                nonASCII = bits & SWAR.highs != 0
                return j &+ SWAR.first(mask)
            }
            bits |= v
            j &+= 8
        }
        while j < end {
            let c = p[j]
            if c == ASCII.quote || c == ASCII.backslash || c < 0x20 { break }
            bits |= UInt64(c)
            j &+= 1
        }
        nonASCII = bits & SWAR.highs != 0
        return j
    }

    /// True when `p[i...]` starts with `literal`.
    @inline(__always) static func hasPrefix(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        return end &- i >= n && memcmp(p + i, literal.utf8Start, n) == 0
    }

    /// Decodes the rest of a string whose opening quote is at `i - 1`, escapes resolved, appending
    /// its UTF-8 bytes to `out`. Lone surrogates become U+FFFD. Raw bytes are copied unchecked: a
    /// caller that keeps the string validates `out` (``UTF8Check``).
    static func decodeString(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, into out: inout [UInt8]) throws(RecordProblem) {
        let open = i &- 1
        while true {
            let j = stringStop(p, i, end)
            out.append(contentsOf: UnsafeBufferPointer(start: p + i, count: j &- i))
            guard j < end else { throw .syntax(open, "unterminated string") }
            let c = p[j]
            if c == ASCII.quote {
                i = j &+ 1
                return
            }
            if c != ASCII.backslash { throw .syntax(j, "unescaped control character in string") }
            guard j &+ 1 < end else { throw .syntax(open, "unterminated string") }
            i = j &+ 2
            switch p[j &+ 1] {
            case ASCII.quote: out.append(ASCII.quote)
            case ASCII.backslash: out.append(ASCII.backslash)
            case ASCII.slash: out.append(ASCII.slash)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(ASCII.newline)
            case UInt8(ascii: "r"): out.append(ASCII.cr)
            case UInt8(ascii: "t"): out.append(ASCII.tab)
            case UInt8(ascii: "u"):
                guard let unit = hex4(p, i, end) else { throw .syntax(j, "invalid \\u escape") }
                i &+= 4
                var scalar = UInt32(unit)
                if (0xD800...0xDBFF).contains(unit) {
                    if hasPrefix(p, i, end, "\\u"), let low = hex4(p, i &+ 2, end), (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        i &+= 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(unit) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default:
                throw .syntax(j, "invalid escape \\\(Character(Unicode.Scalar(p[j &+ 1])))")
            }
        }
    }

    static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> UInt16? {
        guard end &- i >= 4 else { return nil }
        var v: UInt16 = 0
        for k in 0..<4 {
            let c = p[i &+ k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c &- 0x30
            case 0x41...0x46: d = c &- 0x37
            case 0x61...0x66: d = c &- 0x57
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Skips the rest of a string whose opening quote is at `i - 1`, validating its escapes.
    static func skipString(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws(RecordProblem) {
        let open = i &- 1
        while true {
            let j = stringStop(p, i, end)
            guard j < end else { throw .syntax(open, "unterminated string") }
            let c = p[j]
            if c == ASCII.quote {
                i = j &+ 1
                return
            }
            if c != ASCII.backslash { throw .syntax(j, "unescaped control character in string") }
            guard j &+ 1 < end else { throw .syntax(open, "unterminated string") }
            switch p[j &+ 1] {
            case ASCII.quote, ASCII.backslash, ASCII.slash, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                i = j &+ 2
            case UInt8(ascii: "u"):
                guard hex4(p, j &+ 2, end) != nil else { throw .syntax(j, "invalid \\u escape") }
                i = j &+ 6
            default:
                throw .syntax(j, "invalid escape \\\(Character(Unicode.Scalar(p[j &+ 1])))")
            }
        }
    }

    /// Skips a number, validating the JSON grammar.
    static func skipNumber(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws(RecordProblem) {
        let start = i
        var j = i
        if j < end && p[j] == ASCII.minus { j &+= 1 }
        let intStart = j
        while j < end && p[j] &- ASCII.zero <= 9 { j &+= 1 }
        var ok = j > intStart && !(j &- intStart > 1 && p[intStart] == ASCII.zero)
        if ok && j < end && p[j] == ASCII.dot {
            j &+= 1
            let s = j
            while j < end && p[j] &- ASCII.zero <= 9 { j &+= 1 }
            ok = j > s
        }
        if ok && j < end && (p[j] | 0x20) == ASCII.lowerE {
            j &+= 1
            if j < end && (p[j] == ASCII.minus || p[j] == ASCII.plus) { j &+= 1 }
            let s = j
            while j < end && p[j] &- ASCII.zero <= 9 { j &+= 1 }
            ok = j > s
        }
        guard ok else { throw .syntax(start, "invalid number") }
        i = j
    }

    static let maxDepth = 256

    /// Skips any JSON value, validating it.
    static func skipValue(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, depth: Int = 0) throws(RecordProblem) {
        guard i < end else { throw .syntax(i, "expected a value") }
        switch p[i] {
        case ASCII.quote:
            i &+= 1
            try skipString(p, &i, end)
        case ASCII.minus, ASCII.zero...0x39:
            try skipNumber(p, &i, end)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for literal: StaticString in ["true", "false", "null"] where hasPrefix(p, i, end, literal) {
                i &+= literal.utf8CodeUnitCount
                return
            }
            throw .syntax(i, "expected a value")
        case ASCII.lbrace, ASCII.lbracket:
            let object = p[i] == ASCII.lbrace
            let close = object ? ASCII.rbrace : ASCII.rbracket
            guard depth < maxDepth else { throw .syntax(i, "nesting deeper than \(maxDepth)") }
            i &+= 1
            skipWhitespace(p, &i, end)
            if i < end && p[i] == close {
                i &+= 1
                return
            }
            while true {
                if object {
                    guard i < end && p[i] == ASCII.quote else { throw .syntax(i, "expected a field name") }
                    i &+= 1
                    try skipString(p, &i, end)
                    skipWhitespace(p, &i, end)
                    guard i < end && p[i] == ASCII.colon else { throw .syntax(i, "expected ':'") }
                    i &+= 1
                    skipWhitespace(p, &i, end)
                }
                try skipValue(p, &i, end, depth: depth + 1)
                skipWhitespace(p, &i, end)
                guard i < end && (p[i] == ASCII.comma || p[i] == close) else {
                    throw .syntax(i, object ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                i &+= 1
                if p[i &- 1] == close { return }
                skipWhitespace(p, &i, end)
            }
        default:
            throw .syntax(i, "expected a value, got \(Snippet.character(p[i]))")
        }
    }
}
