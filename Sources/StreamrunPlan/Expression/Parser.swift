/// Recursive-descent parser. Precedence, low to high: `||`; `&&`; comparisons (which do not chain);
/// `+ -`; `* / %`; unary `! -`; calls, literals, names and parentheses.
///
/// Two limits keep every recursive pass over the tree (this parser, the type checker, constant
/// folding, the evaluator and the tree's deallocation) far from the end of a thread's stack:
/// parentheses, calls and unary operators nest at most ``maxNesting`` deep, and an expression has at
/// most ``maxOperators`` operators. A chain like `a + a + a` is a tree as deep as it has operators, so
/// the deepest tree has `maxOperators + maxNesting + 1` levels.
struct Parser {
    /// How deep parentheses, function calls and unary operators may nest.
    static let maxNesting = JobLimits.maxExpressionNesting
    /// How many unary and binary operators one expression may have.
    static let maxOperators = JobLimits.maxExpressionOperators

    private let tokens: [Token]
    private var p = 0
    private var depth = 0
    private var operators = 0

    static func parse(_ source: String) throws(ExpressionError) -> Syntax {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let e = try parser.expression()
        let t = parser.tokens[parser.p]
        if t.kind != .end { throw unexpected(t) }
        return e
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[p] }

    private static func unexpected(_ t: Token) -> ExpressionError {
        if t.kind == .end { return ExpressionError("expected an expression at end of input", offset: t.offset) }
        return ExpressionError("unexpected \(t.quoted) at offset \(t.offset)", offset: t.offset)
    }

    /// Consumes the current token when it is `symbol` or the keyword `keyword`, returning its spelling.
    private mutating func accept(_ symbol: String, keyword: String? = nil) -> Token? {
        let t = current
        if t.kind == .symbol(symbol) || (keyword != nil && t.keyword == keyword) {
            p += 1
            return t
        }
        return nil
    }

    private mutating func expression() throws(ExpressionError) -> Syntax { try or() }

    /// Enters one level of nesting (a parenthesis, a call or a unary operator) at `offset`.
    private mutating func enter(_ offset: Int) throws(ExpressionError) {
        depth += 1
        if depth > Self.maxNesting {
            throw ExpressionError(
                "expression nests deeper than \(Self.maxNesting) levels (parentheses, function calls and unary operators) at offset \(offset)",
                offset: offset)
        }
    }

    /// Counts one operator at `offset`.
    private mutating func count(_ offset: Int) throws(ExpressionError) {
        operators += 1
        if operators > Self.maxOperators {
            throw ExpressionError(
                "expression has more than \(Self.maxOperators) operators (at offset \(offset)); split it over several operators, like a map then a filter",
                offset: offset)
        }
    }

    private mutating func or() throws(ExpressionError) -> Syntax {
        var lhs = try and()
        while let op = accept("||", keyword: "or") {
            try count(op.offset)
            lhs = Syntax(kind: .binary(.or, lhs, try and()), offset: op.offset, spelling: op.text)
        }
        return lhs
    }

    private mutating func and() throws(ExpressionError) -> Syntax {
        var lhs = try comparison()
        while let op = accept("&&", keyword: "and") {
            try count(op.offset)
            lhs = Syntax(kind: .binary(.and, lhs, try comparison()), offset: op.offset, spelling: op.text)
        }
        return lhs
    }

    private mutating func comparison() throws(ExpressionError) -> Syntax {
        let lhs = try additive()
        guard case .symbol(let s) = current.kind, let op = BinaryOperator.comparison(s) else { return lhs }
        let t = current
        p += 1
        try count(t.offset)
        let rhs = try additive()
        let next = current
        if case .symbol(let s2) = next.kind, BinaryOperator.comparison(s2) != nil {
            throw ExpressionError(
                "unexpected \(next.quoted) at offset \(next.offset): comparisons do not chain; combine them with &&",
                offset: next.offset)
        }
        return Syntax(kind: .binary(op, lhs, rhs), offset: t.offset, spelling: t.text)
    }

    private mutating func additive() throws(ExpressionError) -> Syntax {
        var lhs = try multiplicative()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .symbol("+"): op = .add
            case .symbol("-"): op = .sub
            default: return lhs
            }
            let t = current
            p += 1
            try count(t.offset)
            lhs = Syntax(kind: .binary(op, lhs, try multiplicative()), offset: t.offset, spelling: t.text)
        }
    }

    private mutating func multiplicative() throws(ExpressionError) -> Syntax {
        var lhs = try unary()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .symbol("*"): op = .mul
            case .symbol("/"): op = .div
            case .symbol("%"): op = .mod
            default: return lhs
            }
            let t = current
            p += 1
            try count(t.offset)
            lhs = Syntax(kind: .binary(op, lhs, try unary()), offset: t.offset, spelling: t.text)
        }
    }

    private mutating func unary() throws(ExpressionError) -> Syntax {
        let t = current
        if let op = accept("!", keyword: "not") {
            try count(op.offset)
            try enter(op.offset)
            defer { depth -= 1 }
            return Syntax(kind: .unary(.not, try unary()), offset: op.offset, spelling: op.text)
        }
        if accept("-") != nil {
            // `-9223372036854775808` is a literal, not the negation of an out-of-range int.
            if case .int(let magnitude) = current.kind {
                let lit = current
                p += 1
                let v = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
                return Syntax(kind: .int(v), offset: t.offset, spelling: lit.text)
            }
            try count(t.offset)
            try enter(t.offset)
            defer { depth -= 1 }
            return Syntax(kind: .unary(.negate, try unary()), offset: t.offset, spelling: "-")
        }
        return try primary()
    }

    private mutating func primary() throws(ExpressionError) -> Syntax {
        let t = current
        switch t.kind {
        case .int(let magnitude):
            p += 1
            guard magnitude <= UInt64(Int64.max) else {
                throw ExpressionError(
                    "integer \(t.text) at offset \(t.offset) is too large (the largest int is \(Int64.max))",
                    offset: t.offset)
            }
            return Syntax(kind: .int(Int64(magnitude)), offset: t.offset)
        case .float(let v):
            p += 1
            return Syntax(kind: .float(v), offset: t.offset)
        case .string(let s):
            p += 1
            return Syntax(kind: .string(s), offset: t.offset)
        case .quotedName(let n):
            p += 1
            return Syntax(kind: .field(n), offset: t.offset)
        case .name(let n):
            switch t.keyword {
            case "true":
                p += 1
                return Syntax(kind: .bool(true), offset: t.offset)
            case "false":
                p += 1
                return Syntax(kind: .bool(false), offset: t.offset)
            case "null":
                p += 1
                return Syntax(kind: .null, offset: t.offset)
            case .some: throw Parser.unexpected(t)
            case nil: break
            }
            p += 1
            guard accept("(") != nil else { return Syntax(kind: .field(n), offset: t.offset) }
            try enter(t.offset)
            defer { depth -= 1 }
            var args: [Syntax] = []
            if accept(")") != nil { return Syntax(kind: .call(n, args), offset: t.offset) }
            while true {
                args.append(try expression())
                if accept(",") != nil { continue }
                if accept(")") != nil { return Syntax(kind: .call(n, args), offset: t.offset) }
                throw expectedClose(current, opener: "\(n)(", at: t.offset, orComma: true)
            }
        case .symbol("("):
            p += 1
            try enter(t.offset)
            defer { depth -= 1 }
            let e = try expression()
            guard accept(")") != nil else { throw expectedClose(current, opener: "(", at: t.offset, orComma: false) }
            return e
        default:
            throw Parser.unexpected(t)
        }
    }

    private func expectedClose(_ t: Token, opener: String, at offset: Int, orComma: Bool) -> ExpressionError {
        if t.kind == .end {
            return ExpressionError(
                "expected ')' at end of input (to close '\(opener)' at offset \(offset))", offset: t.offset)
        }
        let what = orComma ? "',' or ')'" : "')'"
        return ExpressionError(
            "unexpected \(t.quoted) at offset \(t.offset): expected \(what) to close '\(opener)' at offset \(offset)",
            offset: t.offset)
    }
}
