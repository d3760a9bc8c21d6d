/// One token of an expression, with the offset (in Unicode scalars) where it starts.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// An integer literal's magnitude (the sign is a separate `-`); at most 2^63.
        case int(UInt64)
        case float(Double)
        case string(String)
        /// A bare name: a field, a function, or a keyword (`and`, `or`, `not`, `true`, `false`, `null`).
        case name(String)
        /// A backquoted name: always a field, never a keyword.
        case quotedName(String)
        /// An operator or punctuation: `( ) , + - * / % ! == != < <= > >= && ||`.
        case symbol(String)
        case end
    }

    let kind: Kind
    let offset: Int
    /// The source text, for error messages.
    let text: String

    /// `'x'` for messages; the end of input reads "end of input".
    var quoted: String { kind == .end ? "end of input" : "'\(text)'" }

    /// The keyword this name spells (exact lowercase or uppercase), if any.
    var keyword: String? {
        guard case .name(let n) = kind else { return nil }
        let lower = n.lowercased()
        guard n == lower || n == n.uppercased() else { return nil }
        switch lower {
        case "and", "or", "not", "true", "false", "null": return lower
        default: return nil
        }
    }
}

/// Splits an expression into tokens. Offsets count Unicode scalars from the start of the source.
struct Lexer {
    private let s: [Unicode.Scalar]
    private var i = 0

    init(_ source: String) { s = Array(source.unicodeScalars) }

    static func tokenize(_ source: String) throws(ExpressionError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    private func text(_ from: Int) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s[from..<i])
        return String(out)
    }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || isDigit(c) }

    private mutating func next() throws(ExpressionError) -> Token {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1 }
        let start = i
        guard let c = peek() else { return Token(kind: .end, offset: i, text: "") }
        if Lexer.isNameStart(c) {
            while let d = peek(), Lexer.isNameChar(d) { i += 1 }
            let t = text(start)
            return Token(kind: .name(t), offset: start, text: t)
        }
        if Lexer.isDigit(c) || (c == "." && peek(1).map(Lexer.isDigit) == true) { return try number() }
        if c == "'" || c == "\"" { return try string(quote: c) }
        if c == "`" { return try quotedName() }
        i += 1
        let two: String? = peek().map { String(c) + String($0) }
        switch two {
        case "==", "!=", "<=", ">=", "&&", "||":
            i += 1
            return Token(kind: .symbol(two!), offset: start, text: two!)
        case "<>":
            i += 1
            return Token(kind: .symbol("!="), offset: start, text: "<>")
        default: break
        }
        switch c {
        case "(", ")", ",", "+", "-", "*", "/", "%", "!", "<", ">":
            return Token(kind: .symbol(String(c)), offset: start, text: String(c))
        case "=": throw ExpressionError("unexpected '=' at offset \(start): use == to compare", offset: start)
        case "&": throw ExpressionError("unexpected '&' at offset \(start): use && for logical and", offset: start)
        case "|": throw ExpressionError("unexpected '|' at offset \(start): use || for logical or", offset: start)
        default:
            throw ExpressionError("unexpected character '\(c)' at offset \(start)", offset: start)
        }
    }

    private mutating func number() throws(ExpressionError) -> Token {
        let start = i
        var isFloat = false
        while let d = peek(), Lexer.isDigit(d) { i += 1 }
        if peek() == ".", peek(1).map(Lexer.isNameStart) != true {
            isFloat = true
            i += 1
            while let d = peek(), Lexer.isDigit(d) { i += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let sign = peek(1), sign == "+" || sign == "-" { k = 2 }
            if peek(k).map(Lexer.isDigit) == true {
                isFloat = true
                i += k
                while let d = peek(), Lexer.isDigit(d) { i += 1 }
            }
        }
        if let d = peek(), Lexer.isNameChar(d) || d == "." {
            while let d = peek(), Lexer.isNameChar(d) || d == "." { i += 1 }
            throw ExpressionError("invalid number '\(text(start))' at offset \(start)", offset: start)
        }
        let t = text(start)
        if isFloat {
            guard let v = Double(t) else {
                throw ExpressionError("invalid number '\(t)' at offset \(start)", offset: start)
            }
            return Token(kind: .float(v), offset: start, text: t)
        }
        guard let v = UInt64(t), v <= UInt64(Int64.max) + 1 else {
            throw ExpressionError(
                "integer \(t) at offset \(start) is too large (the largest int is \(Int64.max))", offset: start)
        }
        return Token(kind: .int(v), offset: start, text: t)
    }

    private mutating func string(quote: Unicode.Scalar) throws(ExpressionError) -> Token {
        let start = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw ExpressionError("unterminated string starting at offset \(start)", offset: start)
            }
            i += 1
            if c == quote { break }
            if c != "\\" {
                out.append(c)
                continue
            }
            guard let e = peek() else {
                throw ExpressionError("unterminated string starting at offset \(start)", offset: start)
            }
            i += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "0": out.append("\0")
            case "\\", "'", "\"", "/", "`": out.append(e)
            case "u":
                var v: UInt32 = 0
                var digits = 0
                while digits < 4, let h = peek(), let d = Lexer.hex(h) {
                    v = v * 16 + d
                    digits += 1
                    i += 1
                }
                guard digits == 4, let scalar = Unicode.Scalar(v) else {
                    throw ExpressionError(
                        "invalid escape '\\u' at offset \(i - digits - 2): expected 4 hex digits", offset: i - digits - 2)
                }
                out.append(scalar)
            default:
                throw ExpressionError(
                    "unknown escape '\\\(e)' at offset \(i - 2) (known: \\n \\t \\r \\0 \\\\ \\' \\\" \\uXXXX)",
                    offset: i - 2)
            }
        }
        return Token(kind: .string(String(out)), offset: start, text: text(start))
    }

    private static func hex(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    /// `` `odd name` ``; a doubled backquote stands for one backquote.
    private mutating func quotedName() throws(ExpressionError) -> Token {
        let start = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw ExpressionError("unterminated backquoted name starting at offset \(start)", offset: start)
            }
            i += 1
            if c == "`" {
                if peek() == "`" {
                    i += 1
                    out.append("`")
                    continue
                }
                break
            }
            out.append(c)
        }
        return Token(kind: .quotedName(String(out)), offset: start, text: text(start))
    }
}
