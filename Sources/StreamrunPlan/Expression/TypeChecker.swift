import StreamrunCore

/// Turns parsed ``Syntax`` into a typed ``Expr`` tree against a schema, inserting int→float casts,
/// resolving fields to column indices and folding constant subexpressions.
struct TypeChecker {
    let schema: Schema

    /// Names that read the wall clock in other engines; streamrun has none by design.
    static let wallClockFunctions: Set<String> = [
        "now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime",
        "sysdate", "today", "unix_timestamp", "getdate",
    ]

    /// Every function name, for "did you mean".
    static let functionNames: [String] = Builtin.allCases.map(\.rawValue) + ["coalesce", "if", "is_null"]

    static func name(_ t: FieldType?) -> String { t?.description ?? "null" }

    func check(_ s: Syntax) throws(ExpressionError) -> Expr {
        switch s.kind {
        case .int(let v): return .constant(.int(v), .int)
        case .float(let v): return .constant(.float(v), .float)
        case .string(let v): return .constant(Scalar(v), .string)
        case .bool(let v): return .constant(.bool(v), .bool)
        case .null: return .constant(.null, nil)
        case .field(let n):
            guard let i = schema.index(of: n) else {
                throw ExpressionError(Suggestions.unknown("field", n, among: schema.names), offset: s.offset)
            }
            return Expr(schema[i].type, .field(index: i, name: n))
        case .unary(let op, let a):
            return try unary(op, try check(a), s)
        case .binary(let op, let a, let b):
            return try binary(op, try check(a), try check(b), s)
        case .call(let n, let args):
            var typed: [Expr] = []
            for a in args { typed.append(try check(a)) }
            return try call(n, typed, args, s)
        }
    }

    // MARK: Operators

    private func unary(_ op: UnaryOperator, _ e: Expr, _ s: Syntax) throws(ExpressionError) -> Expr {
        switch op {
        case .negate:
            guard e.type == nil || e.type!.isNumeric else {
                throw ExpressionError("unary '-' needs a number, got \(Self.name(e.type))", offset: s.offset)
            }
            return fold(Expr(e.type, .negate(e)))
        case .not:
            guard e.type == nil || e.type == .bool else {
                throw ExpressionError("'\(s.spelling)' needs a bool operand, got \(Self.name(e.type))", offset: s.offset)
            }
            return fold(Expr(.bool, .not(e)))
        }
    }

    private func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr, _ s: Syntax) throws(ExpressionError) -> Expr {
        let ta = a.type, tb = b.type
        let sym = "'\(s.spelling)'"
        switch op {
        case .and, .or:
            let bad = [ta, tb].filter { $0 != nil && $0 != .bool }
            guard bad.isEmpty else {
                let got = bad.map { Self.name($0) }.joined(separator: " and ")
                throw ExpressionError("\(sym) needs bool operands, got \(got)", offset: s.offset)
            }
            return logical(op, a, b)
        case .eq, .ne, .lt, .le, .gt, .ge:
            return try comparison(op, a, b, sym, s.offset)
        case .add, .sub, .mul, .div, .mod:
            return try arithmetic(op, a, b, sym, s.offset)
        }
    }

    private func logical(_ op: BinaryOperator, _ a: Expr, _ b: Expr) -> Expr {
        // Constant shortcuts that keep the other side: true && x = x, false || x = x.
        let keep: Bool = op == .and
        if a.constantValue == .bool(keep), b.type == .bool { return b }
        if b.constantValue == .bool(keep), a.type == .bool { return a }
        if a.constantValue == .bool(!keep) || b.constantValue == .bool(!keep) { return .constant(.bool(!keep), .bool) }
        return fold(Expr(.bool, op == .and ? .and(a, b) : .or(a, b)))
    }

    private func comparison(
        _ op: BinaryOperator, _ a: Expr, _ b: Expr, _ sym: String, _ offset: Int
    ) throws(ExpressionError) -> Expr {
        guard let ta = a.type, let tb = b.type else { return .constant(.null, .bool) }
        switch (ta, tb) {
        case (.int, .int), (.float, .float), (.string, .string), (.timestamp, .timestamp), (.timestamp, .int),
            (.int, .timestamp):
            break
        case (.int, .float): return fold(Expr(.bool, .compare(op, toFloat(a), b)))
        case (.float, .int): return fold(Expr(.bool, .compare(op, a, toFloat(b))))
        case (.bool, .bool):
            guard op == .eq || op == .ne else {
                throw ExpressionError("\(sym) cannot order bools; only == and != compare bools", offset: offset)
            }
        default:
            throw ExpressionError("\(sym) cannot compare \(ta) and \(tb)", offset: offset)
        }
        return fold(Expr(.bool, .compare(op, a, b)))
    }

    private func arithmetic(
        _ op: BinaryOperator, _ a: Expr, _ b: Expr, _ sym: String, _ offset: Int
    ) throws(ExpressionError) -> Expr {
        let ta = a.type, tb = b.type
        let additive = op == .add || op == .sub
        func fail(_ hint: String = "") -> ExpressionError {
            ExpressionError("\(sym) needs numbers, got \(Self.name(ta)) and \(Self.name(tb))\(hint)", offset: offset)
        }
        let result: FieldType?
        switch (ta, tb) {
        case (nil, nil): result = nil
        case (nil, .int?), (.int?, nil): result = .int
        case (nil, .float?), (.float?, nil): result = .float
        case (nil, .timestamp?), (.timestamp?, nil):
            guard additive else { throw fail(" (a timestamp only adds or subtracts an int of milliseconds)") }
            result = .timestamp
        case (.int?, .int?): result = .int
        case (.float?, .float?): result = .float
        case (.int?, .float?): return fold(Expr(.float, .arithmetic(op, toFloat(a), b)))
        case (.float?, .int?): return fold(Expr(.float, .arithmetic(op, a, toFloat(b))))
        case (.timestamp?, .int?):
            guard additive else { throw fail(" (a timestamp only adds or subtracts an int of milliseconds)") }
            result = .timestamp
        case (.int?, .timestamp?):
            guard op == .add else {
                if op == .sub {
                    throw ExpressionError("\(sym) cannot subtract a timestamp from an int", offset: offset)
                }
                throw fail(" (a timestamp only adds or subtracts an int of milliseconds)")
            }
            result = .timestamp
        case (.timestamp?, .timestamp?):
            guard op == .sub else {
                throw fail(" (subtract two timestamps to get milliseconds, or add an int to a timestamp)")
            }
            result = .int
        case (.string?, .string?) where op == .add:
            throw fail(" (use concat(a, b) to join strings)")
        default:
            if ta == .timestamp || tb == .timestamp {
                throw fail(" (a timestamp only adds or subtracts an int of milliseconds)")
            }
            throw fail()
        }
        return fold(Expr(result, .arithmetic(op, a, b)))
    }

    private func toFloat(_ e: Expr) -> Expr {
        e.type == .float ? e : fold(Expr(.float, .call(.toFloat, [e])))
    }

    // MARK: Functions

    private func call(_ rawName: String, _ args: [Expr], _ syntax: [Syntax], _ s: Syntax) throws(ExpressionError) -> Expr {
        let name = rawName.lowercased()
        if Self.wallClockFunctions.contains(name) {
            throw ExpressionError(
                "unknown function \"\(rawName)\" — streamrun has no wall-clock functions; use a field's event time",
                offset: s.offset)
        }
        guard let (lo, hi) = Self.arity(name) else {
            throw ExpressionError(Suggestions.unknown("function", rawName, among: Self.functionNames), offset: s.offset)
        }
        guard args.count >= lo && args.count <= (hi ?? .max) else {
            let takes: String
            if hi == lo {
                takes = "\(lo) argument\(lo == 1 ? "" : "s")"
            } else if let hi {
                takes = "\(lo) or \(hi) arguments"
            } else {
                takes = "at least \(lo) argument\(lo == 1 ? "" : "s")"
            }
            throw ExpressionError("\(name)() takes \(takes), got \(args.count)", offset: s.offset)
        }
        func expect(_ k: Int, _ allowed: FieldType...) throws(ExpressionError) {
            guard let t = args[k].type, !allowed.contains(t) else { return }
            let which = args.count == 1 ? "argument" : "argument \(k + 1)"
            let want = allowed.map(\.description).joined(separator: " or ")
            throw ExpressionError("\(name)() \(which) must be \(want), got \(t)", offset: syntax[k].offset)
        }
        func builtin(_ b: Builtin, _ type: FieldType?) -> Expr { fold(Expr(type, .call(b, args))) }

        switch name {
        case "is_null":
            if let c = args[0].constantValue { return .constant(.bool(c.isNull), .bool) }
            return fold(Expr(.bool, .isNull(args[0])))
        case "coalesce":
            let t = try commonType(args, syntax) { a, b in "coalesce() arguments must share a type, got \(a) and \(b)" }
            let cast = args.map { t == .float ? toFloat($0) : $0 }
            // Null constants never win; nothing after the first non-null constant is ever reached.
            var kept: [Expr] = []
            for a in cast where a.constantValue != .null {
                kept.append(a)
                if a.constantValue != nil { break }
            }
            if kept.isEmpty { return .constant(.null, t) }
            if kept.count == 1 { return Expr(t, kept[0].op) }
            return fold(Expr(t, .coalesce(kept)))
        case "if":
            try expect(0, .bool)
            let t = try commonType(Array(args[1...]), Array(syntax[1...])) { a, b in
                "if() branches must have the same type, got \(a) and \(b)"
            }
            let a = t == .float ? toFloat(args[1]) : args[1]
            let b = t == .float ? toFloat(args[2]) : args[2]
            switch args[0].constantValue {
            case .bool(true)?: return Expr(t, a.op)
            case .bool(false)?: return Expr(t, b.op)
            case .null?: return .constant(.null, t)
            default: return fold(Expr(t, .ifThenElse(args[0], a, b)))
            }
        default: break
        }
        let b = Builtin(rawValue: name)!
        switch b {
        case .lower, .upper, .trim:
            try expect(0, .string)
            return builtin(b, .string)
        case .length:
            try expect(0, .string)
            return builtin(b, .int)
        case .contains, .startsWith, .endsWith:
            try expect(0, .string)
            try expect(1, .string)
            return builtin(b, .bool)
        case .substr:
            try expect(0, .string)
            for k in 1..<args.count { try expect(k, .int) }
            return builtin(b, .string)
        case .concat, .toString:
            return builtin(b, .string)
        case .abs, .floor, .ceil:
            try expect(0, .int, .float)
            return builtin(b, args[0].type)
        case .round:
            try expect(0, .int, .float)
            if args.count == 2 { try expect(1, .int) }
            return builtin(b, args[0].type)
        case .toInt:
            return builtin(b, .int)
        case .toFloat:
            return builtin(b, .float)
        case .date:
            try expect(0, .timestamp, .int)
            return builtin(b, .string)
        case .hour:
            try expect(0, .timestamp, .int)
            return builtin(b, .int)
        }
    }

    /// (minimum, maximum or nil for any number) arguments, or nil for an unknown function.
    static func arity(_ name: String) -> (Int, Int?)? {
        switch name {
        case "coalesce", "concat": return (1, nil)
        case "if": return (3, 3)
        case "is_null": return (1, 1)
        case "round": return (1, 2)
        case "substr": return (2, 3)
        case "contains", "starts_with", "ends_with": return (2, 2)
        default: return Builtin(rawValue: name) == nil ? nil : (1, 1)
        }
    }

    /// The type every argument converts to: equal types, null with anything, int with float (float),
    /// int with timestamp (timestamp).
    private func commonType(
        _ args: [Expr], _ syntax: [Syntax], _ message: (String, String) -> String
    ) throws(ExpressionError) -> FieldType? {
        var t: FieldType? = nil
        for (k, a) in args.enumerated() {
            guard let at = a.type else { continue }
            guard let cur = t else {
                t = at
                continue
            }
            switch (cur, at) {
            case _ where cur == at: break
            case (.int, .float), (.float, .int): t = .float
            case (.int, .timestamp), (.timestamp, .int): t = .timestamp
            default: throw ExpressionError(message(cur.description, at.description), offset: syntax[k].offset)
            }
        }
        return t
    }

    // MARK: Folding

    /// Folds a node whose inputs are constants (or that a null constant makes null) into a constant.
    func fold(_ e: Expr) -> Expr {
        let children = e.children
        switch e.op {
        case .and, .or, .coalesce, .isNull, .ifThenElse, .constant, .field: break
        default:
            if children.contains(where: { $0.constantValue == .null }) { return .constant(.null, e.type) }
        }
        guard !children.isEmpty, children.allSatisfy({ $0.constantValue != nil }) else { return e }
        guard let d = try? Evaluator.evaluate(e, RecordBatch(count: 0, columns: [])), case .scalar(let s) = d else {
            return e
        }
        return .constant(s, e.type)
    }
}
