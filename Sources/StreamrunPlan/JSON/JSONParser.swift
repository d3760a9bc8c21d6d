/// A JSON syntax error and where it is: `12:5: expected ',' or '}' after object member`.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// 1-based line and column (in characters) of the offending character.
    public var line: Int
    public var column: Int

    public init(_ message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column): \(message)" }
}

/// A small strict JSON parser (RFC 8259) that keeps object key order and the position of every value.
///
/// Strict means: no comments, no trailing commas, no leading zeros, no `NaN`, valid UTF-8 only,
/// and no duplicate keys in one object. A UTF-8 byte order mark at the start is skipped.
/// This is a cold path (job files), so it favours clear messages over speed.
public struct JSONParser {
    /// Nesting deeper than this is rejected rather than risking the stack.
    public static let maxDepth = 256

    private let bytes: [UInt8]
    private var i = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    /// An offset on the current line and its column, so the column of each value is counted from the
    /// previous one rather than from the start of the line (a one-line job.json stays linear).
    private var known = (offset: 0, column: 1)

    /// Parses one JSON document.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            p.i = 3
            p.lineStart = 3
        }
        p.skipWhitespace()
        let value = try p.parseValue()
        p.skipWhitespace()
        if p.i < bytes.count { throw p.error("unexpected \(p.describeCurrent()) after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: Values

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of input: expected a value") }
        let (l, c) = (line, currentColumn())
        switch bytes[i] {
        case UInt8(ascii: "{"): return JSONValue(.object(try parseObject()), line: l, column: c)
        case UInt8(ascii: "["): return JSONValue(.array(try parseArray()), line: l, column: c)
        case UInt8(ascii: "\""): return JSONValue(.string(try parseString()), line: l, column: c)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try parseNumber()), line: l, column: c)
        case UInt8(ascii: "t"): try literal("true"); return JSONValue(.bool(true), line: l, column: c)
        case UInt8(ascii: "f"): try literal("false"); return JSONValue(.bool(false), line: l, column: c)
        case UInt8(ascii: "n"): try literal("null"); return JSONValue(.null, line: l, column: c)
        default: throw error("expected a value, got \(describeCurrent())")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONObject {
        try enter()
        i += 1  // {
        var members: [JSONObject.Member] = []
        var seen: [String: (Int, Int)] = [:]
        skipWhitespace()
        if peek(UInt8(ascii: "}")) {
            i += 1
            depth -= 1
            return JSONObject(members)
        }
        while true {
            guard peek(UInt8(ascii: "\"")) else {
                throw error(peek(UInt8(ascii: "}")) ? "trailing comma before '}'" : "expected a string key, got \(describeCurrent())")
            }
            let (kl, kc) = (line, currentColumn())
            let key = try parseString()
            if let (fl, fc) = seen[key] {
                throw JSONSyntaxError("duplicate key \"\(key)\" (first at \(fl):\(fc))", line: kl, column: kc)
            }
            seen[key] = (kl, kc)
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw error("expected ':' after object key \"\(key)\"") }
            i += 1
            skipWhitespace()
            members.append(.init(key: key, value: try parseValue()))
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                i += 1
                skipWhitespace()
            } else if peek(UInt8(ascii: "}")) {
                i += 1
                depth -= 1
                return JSONObject(members)
            } else {
                throw error("expected ',' or '}' after object member")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> [JSONValue] {
        try enter()
        i += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) {
            i += 1
            depth -= 1
            return elements
        }
        while true {
            if peek(UInt8(ascii: "]")) { throw error("trailing comma before ']'") }
            elements.append(try parseValue())
            skipWhitespace()
            if peek(UInt8(ascii: ",")) {
                i += 1
                skipWhitespace()
            } else if peek(UInt8(ascii: "]")) {
                i += 1
                depth -= 1
                return elements
            } else {
                throw error("expected ',' or ']' after array element")
            }
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                return s
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw error(b == 0x0A ? "unterminated string (a newline must be written as \\n)"
                    : "control character in string: write it as an escape like \\t or \\u0001")
            default:
                out.append(b)
                i += 1
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        let start = i
        i += 1  // backslash
        guard i < bytes.count else { throw error("unterminated string") }
        let c = bytes[i]
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let s = simple[c] {
            out.append(s)
            i += 1
            return
        }
        guard c == UInt8(ascii: "u") else { throw error("invalid escape '\\\(describeByte(c))' in string", at: start) }
        i += 1
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                throw error("lone surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in string", at: start)
            }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair in string", at: start) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("lone surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in string", at: start)
        }
        guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape in string") }
        out.append(contentsOf: Array(String(Character(u)).utf8))
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("invalid \\u escape: expected 4 hex digits") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let b = bytes[i + k]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default:
                i += k
                throw error("invalid \\u escape: expected 4 hex digits")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = i
        var integral = true
        if peek(UInt8(ascii: "-")) { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number: expected a digit") }
        if bytes[i] == UInt8(ascii: "0"), i + 1 < bytes.count, isDigit(bytes[i + 1]) {
            throw error("invalid number: no leading zeros")
        }
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        if peek(UInt8(ascii: ".")) {
            integral = false
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number: expected a digit after '.'") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            integral = false
            i += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw error("invalid number: expected a digit in the exponent") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        let double = Double(text) ?? .nan
        let int = integral ? Int64(text) : Int64(exactly: double)
        return JSONNumber(text: text, double: double, int: int)
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard bytes.count - i >= w.count, Array(bytes[i..<i + w.count]) == w else {
            throw error("expected a value, got \(describeCurrent())")
        }
        i += w.count
    }

    // MARK: Helpers

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A:
                i += 1
                line += 1
                lineStart = i
            default: return
            }
        }
    }

    private func peek(_ b: UInt8) -> Bool { i < bytes.count && bytes[i] == b }
    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// The column of the current offset, counted on from the last one asked for on this line.
    private mutating func currentColumn() -> Int {
        if known.offset < lineStart || known.offset > i { known = (lineStart, 1) }
        var c = known.column
        for k in known.offset..<i where bytes[k] & 0xC0 != 0x80 { c += 1 }
        known = (i, c)
        return c
    }

    /// The 1-based column of `offset` on the current line, counting characters (UTF-8 lead bytes).
    private func column(at offset: Int) -> Int {
        var c = 1
        var k = lineStart
        while k < offset {
            if bytes[k] & 0xC0 != 0x80 { c += 1 }
            k += 1
        }
        return c
    }

    private func describeCurrent() -> String {
        guard i < bytes.count else { return "end of input" }
        return "'\(describeByte(bytes[i]))'"
    }

    private func describeByte(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7F { return String(UnicodeScalar(b)) }
        if b >= 0x80 {
            // Show the whole character when it is valid UTF-8.
            var end = i + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80, end - i < 4 { end += 1 }
            if let s = String(validating: bytes[i..<end], as: UTF8.self) { return s }
        }
        return "\\u" + String(repeating: "0", count: b < 0x10 ? 3 : 2) + String(b, radix: 16, uppercase: true)
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(message, line: line, column: column(at: min(offset ?? i, bytes.count)))
    }
}
