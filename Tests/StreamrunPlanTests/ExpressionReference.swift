import StreamrunCore

/// A test-side expression tree with its own rendering, static typing and row-at-a-time evaluation
/// over `Value`s: the reference the vectorized evaluator is checked against.
final class RNode {
    enum Kind {
        case literal(Value)
        case field(Int)
        case negate(RNode)
        case not(RNode)
        case binary(String, RNode, RNode)
        case call(String, [RNode])
    }

    let kind: Kind
    let type: FieldType?

    init(_ kind: Kind, schema: Schema) {
        self.kind = kind
        self.type = RNode.infer(kind, schema)
    }

    // MARK: Static types (the spec's rules, written independently of the compiler)

    static func literalType(_ v: Value) -> FieldType? {
        switch v {
        case .null: return nil
        case .int: return .int
        case .float: return .float
        case .string: return .string
        case .bool: return .bool
        case .timestamp: return .timestamp
        }
    }

    static func common(_ types: [FieldType?]) -> FieldType? {
        var t: FieldType? = nil
        for case let x? in types {
            guard let cur = t else {
                t = x
                continue
            }
            if cur == x { continue }
            if Set([cur, x]) == [.int, .float] { t = .float } else if Set([cur, x]) == [.int, .timestamp] { t = .timestamp }
        }
        return t
    }

    static func infer(_ kind: Kind, _ schema: Schema) -> FieldType? {
        switch kind {
        case .literal(let v): return literalType(v)
        case .field(let i): return schema[i].type
        case .negate(let a): return a.type
        case .not: return .bool
        case .binary(let op, let a, let b):
            switch op {
            case "&&", "||", "==", "!=", "<", "<=", ">", ">=": return .bool
            default:
                switch (a.type, b.type) {
                case (nil, nil): return nil
                case (nil, let t?), (let t?, nil): return t
                case (.float?, _), (_, .float?): return .float
                case (.timestamp?, .timestamp?): return .int
                case (.timestamp?, _), (_, .timestamp?): return .timestamp
                default: return .int
                }
            }
        case .call(let f, let args):
            switch f {
            case "lower", "upper", "trim", "concat", "substr", "string", "date": return .string
            case "length", "hour", "int": return .int
            case "float": return .float
            case "contains", "starts_with", "ends_with", "is_null": return .bool
            case "abs", "round", "floor", "ceil": return args[0].type
            case "coalesce": return common(args.map(\.type))
            case "if": return common([args[1].type, args[2].type])
            default: fatalError("unknown function \(f)")
            }
        }
    }

    // MARK: Rendering

    func render(_ schema: Schema, _ rng: inout SplitMix64) -> String {
        switch kind {
        case .literal(let v): return RNode.literal(v)
        case .field(let i):
            let n = schema[i].name
            return n.contains(" ") || Bool.random(using: &rng) && n.count < 4 ? "`\(n)`" : n
        case .negate(let a): return "-(\(a.render(schema, &rng)))"
        case .not(let a): return (Bool.random(using: &rng) ? "!" : "not ") + "(\(a.render(schema, &rng)))"
        case .binary(let op, let a, let b):
            var spelled = op
            if op == "&&" && Bool.random(using: &rng) { spelled = "and" }
            if op == "||" && Bool.random(using: &rng) { spelled = "OR" }
            return "(\(a.render(schema, &rng)) \(spelled) \(b.render(schema, &rng)))"
        case .call(let f, let args):
            return f + "(" + args.map { $0.render(schema, &rng) }.joined(separator: ", ") + ")"
        }
    }

    static func literal(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .int(let x): return x < 0 ? "(\(x))" : "\(x)"
        case .float(let x):
            let s = FloatFormat.string(Swift.abs(x))
            return x.sign == .minus ? "(-\(s))" : s
        case .string(let s):
            var out = "'"
            for ch in s.unicodeScalars {
                switch ch {
                case "'": out += "\\'"
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(ch)
                }
            }
            return out + "'"
        case .bool(let b): return b ? "true" : "false"
        case .timestamp: fatalError("no timestamp literals")
        }
    }

    // MARK: Row-at-a-time evaluation

    func eval(_ row: [Value]) -> Value {
        switch kind {
        case .literal(let v): return v
        case .field(let i): return row[i]
        case .negate(let a):
            switch a.eval(row) {
            case .int(let x): return .int(0 &- x)
            case .float(let x): return .float(-x)
            default: return .null
            }
        case .not(let a):
            if case .bool(let x) = a.eval(row) { return .bool(!x) }
            return .null
        case .binary(let op, let a, let b):
            let x = a.eval(row), y = b.eval(row)
            switch op {
            case "&&":
                if x == .bool(false) || y == .bool(false) { return .bool(false) }
                if x.isNull || y.isNull { return .null }
                return .bool(true)
            case "||":
                if x == .bool(true) || y == .bool(true) { return .bool(true) }
                if x.isNull || y.isNull { return .null }
                return .bool(false)
            default: break
            }
            if x.isNull || y.isNull { return .null }
            if ["==", "!=", "<", "<=", ">", ">="].contains(op) { return .bool(RNode.compare(op, x, y)) }
            return RNode.arithmetic(op, x, y, type)
        case .call(let f, let args):
            return RNode.call(f, args.map { $0.eval(row) }, args, type)
        }
    }

    static func int(_ v: Value) -> Int64? {
        switch v {
        case .int(let x), .timestamp(let x): return x
        default: return nil
        }
    }

    static func double(_ v: Value) -> Double? {
        switch v {
        case .int(let x): return Double(x)
        case .float(let x): return x
        default: return nil
        }
    }

    static func typed(_ v: Value, _ t: FieldType?) -> Value {
        switch (v, t) {
        case (.int(let x), .float?): return .float(Double(x))
        case (.int(let x), .timestamp?): return .timestamp(x)
        case (.timestamp(let x), .int?): return .int(x)
        default: return v
        }
    }

    static func compare(_ op: String, _ x: Value, _ y: Value) -> Bool {
        let c: Int
        switch (x, y) {
        case (.string(let a), .string(let b)):
            let p = Array(a.utf8), q = Array(b.utf8)
            c = p == q ? 0 : (p.lexicographicallyPrecedes(q) ? -1 : 1)
        case (.bool(let a), .bool(let b)):
            return op == "==" ? a == b : a != b
        case (.float, _), (_, .float):
            let a = double(x)!, b = double(y)!
            switch op {
            case "==": return a == b
            case "!=": return a != b
            case "<": return a < b
            case "<=": return a <= b
            case ">": return a > b
            default: return a >= b
            }
        default:
            let a = int(x)!, b = int(y)!
            c = a == b ? 0 : (a < b ? -1 : 1)
        }
        switch op {
        case "==": return c == 0
        case "!=": return c != 0
        case "<": return c < 0
        case "<=": return c <= 0
        case ">": return c > 0
        default: return c >= 0
        }
    }

    static func arithmetic(_ op: String, _ x: Value, _ y: Value, _ t: FieldType?) -> Value {
        if t == .float {
            let a = double(x)!, b = double(y)!
            switch op {
            case "+": return .float(a + b)
            case "-": return .float(a - b)
            case "*": return .float(a * b)
            case "/": return b == 0 ? .null : .float(a / b)
            default: return b == 0 ? .null : .float(a.truncatingRemainder(dividingBy: b))
            }
        }
        let a = int(x)!, b = int(y)!
        let r: Int64
        switch op {
        case "+": r = a &+ b
        case "-": r = a &- b
        case "*": r = a &* b
        case "/":
            if b == 0 { return .null }
            r = b == -1 ? 0 &- a : a / b
        default:
            if b == 0 { return .null }
            r = b == -1 ? 0 : a % b
        }
        return typed(.int(r), t)
    }

    static func str(_ v: Value) -> String? { if case .string(let s) = v { return s } else { return nil } }

    static func trimmed(_ s: String) -> String {
        var u = Array(s.unicodeScalars)
        func space(_ c: Unicode.Scalar) -> Bool { c == " " || (c.value >= 9 && c.value <= 13) }
        while let f = u.first, space(f) { u.removeFirst() }
        while let l = u.last, space(l) { u.removeLast() }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: u)
        return String(out)
    }

    static func round(_ x: Double, _ d: Int64) -> Double {
        if d == 0 || !x.isFinite { return x.rounded(.toNearestOrAwayFromZero) }
        if d > 308 { return x }
        if d < -308 { return x * 0 }
        let scale = Double("1e\(Swift.abs(d))")!
        if d > 0 {
            let y = x * scale
            return y.isFinite ? y.rounded(.toNearestOrAwayFromZero) / scale : x
        }
        return (x / scale).rounded(.toNearestOrAwayFromZero) * scale
    }

    static func round(_ x: Int64, _ d: Int64) -> Int64 {
        if d >= 0 { return x }
        if d <= -19 { return 0 }
        // Exact integer arithmetic on the magnitude, then the sign.
        let p = (0..<Int(-d)).reduce(UInt64(1)) { r, _ in r * 10 }
        let m = x.magnitude
        let down = m - m % p
        let rounded = m % p * 2 >= p ? down &+ p : down
        return x < 0 ? 0 &- Int64(truncatingIfNeeded: rounded) : Int64(truncatingIfNeeded: rounded)
    }

    static func parseDouble(_ s: String) -> Double? {
        let t = trimmed(s)
        return t.isEmpty ? nil : Double(t)
    }

    static func fits(_ x: Double) -> Bool { x >= -9.223372036854775808e18 && x < 9.223372036854775808e18 }

    static func stringOf(_ v: Value) -> String {
        switch v {
        case .int(let x), .timestamp(let x): return String(x)
        case .float(let x): return FloatFormat.string(x)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .null: fatalError("null has no string form")
        }
    }

    static func call(_ f: String, _ v: [Value], _ args: [RNode], _ t: FieldType?) -> Value {
        switch f {
        case "is_null": return .bool(v[0].isNull)
        case "coalesce": return typed(v.first { !$0.isNull } ?? .null, t)
        case "if":
            switch v[0] {
            case .bool(true): return typed(v[1], t)
            case .bool(false): return typed(v[2], t)
            default: return .null
            }
        default: break
        }
        if v.contains(where: \.isNull) { return .null }
        switch f {
        case "lower": return .string(str(v[0])!.lowercased())
        case "upper": return .string(str(v[0])!.uppercased())
        case "trim": return .string(trimmed(str(v[0])!))
        case "length": return .int(Int64(str(v[0])!.unicodeScalars.count))
        case "contains":
            let s = Array(str(v[0])!.utf8), p = Array(str(v[1])!.utf8)
            if p.isEmpty { return .bool(true) }
            if p.count > s.count { return .bool(false) }
            return .bool((0...(s.count - p.count)).contains { Array(s[$0..<($0 + p.count)]) == p })
        case "starts_with": return .bool(Array(str(v[0])!.utf8).starts(with: Array(str(v[1])!.utf8)))
        case "ends_with":
            return .bool(Array(str(v[0])!.utf8).reversed().starts(with: Array(str(v[1])!.utf8).reversed()))
        case "concat": return .string(v.map(stringOf).joined())
        case "substr":
            let u = Array(str(v[0])!.unicodeScalars)
            let start = int(v[1])!
            let from = start <= 0 ? 0 : start - 1
            var to = Int64(u.count)
            if v.count > 2 {
                let len = int(v[2])!
                if len < 0 { return .string("") }
                let (e, o) = (start == .min ? start : start - 1).addingReportingOverflow(len)
                if !o { to = Swift.min(to, e) }
            }
            guard from < to else { return .string("") }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: u[Int(from)..<Int(to)])
            return .string(String(out))
        case "string": return .string(stringOf(v[0]))
        case "date": return .string(Timestamps.date(int(v[0])!))
        case "hour": return .int(Timestamps.hour(int(v[0])!))
        case "abs":
            if case .float(let x) = v[0] { return .float(Swift.abs(x)) }
            let x = int(v[0])!
            return .int(x < 0 ? 0 &- x : x)
        case "floor", "ceil", "round":
            switch v[0] {
            case .float(let x):
                if f == "floor" { return .float(x.rounded(.down)) }
                if f == "ceil" { return .float(x.rounded(.up)) }
                return .float(v.count > 1 ? round(x, int(v[1])!) : x.rounded(.toNearestOrAwayFromZero))
            default:
                return f == "round" && v.count > 1 ? .int(round(int(v[0])!, int(v[1])!)) : v[0]
            }
        case "int":
            switch v[0] {
            case .int(let x), .timestamp(let x): return .int(x)
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let x): return fits(x) ? .int(Int64(x)) : .null
            case .string(let s):
                let t = trimmed(s)
                if let x = Int64(t) { return .int(x) }
                guard let d = parseDouble(s), fits(d) else { return .null }
                return .int(Int64(d))
            case .null: return .null
            }
        case "float":
            switch v[0] {
            case .int(let x), .timestamp(let x): return .float(Double(x))
            case .bool(let b): return .float(b ? 1 : 0)
            case .float: return v[0]
            case .string(let s): return parseDouble(s).map(Value.float) ?? .null
            case .null: return .null
            }
        default: fatalError("unknown function \(f)")
        }
    }
}


/// Random well-typed expressions and random batches over ``schema``.
struct ExprGenerator {
    static let schema = Schema([
        Field("i", .int), Field("j", .int), Field("f", .float), Field("g", .float),
        Field("s", .string), Field("t", .string), Field("b", .bool), Field("c", .bool),
        Field("ts", .timestamp), Field("tt", .timestamp), Field("odd name", .int),
    ])

    static let ints: [Int64] = [0, 1, -1, 2, 3, -3, 7, -7, 10, 100, 1000, Int64.max, Int64.min, 86_400_000, -1]
    static let floats: [Double] = [0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.25, 3, 0.1, 1e10, -1e300, 1e300, 123.456, 7]
    static let dataFloats: [Double] = floats + [.nan, .infinity, -.infinity]
    static let strings: [String] = [
        "", "a", "abc", "ABC", "Hello World", " padded\t", "é", "ÉCOLE", "straße", "12", "-7", " 42 ", "3.5", "1e3",
        "x'y", "b\\n", "👍ok", "Zebra", "zebra", "nan",
    ]
    static let timestamps: [Int64] = [
        0, -1, 1, 1_704_067_200_000, 1_704_067_199_999, -86_400_000, -86_400_001, 3_599_999, 3_600_000,
        951_782_400_000, -62_135_596_800_000, 253_402_300_799_999,
    ]

    var rng: SplitMix64

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func batch() -> (RecordBatch, [[Value]]) {
        let n = Int.random(in: 0...24, using: &rng)
        var rows: [[Value]] = []
        for _ in 0..<n {
            rows.append(ExprGenerator.schema.fields.map { f in
                if chance(0.2) { return .null }
                switch f.type {
                case .int: return .int(chance(0.3) ? Int64.random(in: -1000...1000, using: &rng) : pick(ExprGenerator.ints))
                case .float: return .float(chance(0.3) ? Double.random(in: -100...100, using: &rng) : pick(ExprGenerator.dataFloats))
                case .string: return .string(pick(ExprGenerator.strings))
                case .bool: return .bool(Bool.random(using: &rng))
                case .timestamp:
                    return .timestamp(chance(0.3) ? Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &rng) : pick(ExprGenerator.timestamps))
                }
            })
        }
        return (RecordBatch(schema: ExprGenerator.schema, rows: rows), rows)
    }

    private func node(_ k: RNode.Kind) -> RNode { RNode(k, schema: ExprGenerator.schema) }

    private mutating func field(_ t: FieldType) -> RNode {
        let idx = ExprGenerator.schema.fields.indices.filter { ExprGenerator.schema[$0].type == t }
        return node(.field(pick(idx)))
    }

    private mutating func leaf(_ t: FieldType) -> RNode {
        // Timestamps have no literal: a null timestamp is written so that its type stays timestamp.
        if chance(0.1) {
            if t == .timestamp { return node(.call("if", [node(.literal(.bool(false))), field(.timestamp), node(.literal(.null))])) }
            return node(.literal(.null))
        }
        if chance(0.55) || t == .timestamp { return field(t) }
        switch t {
        case .int: return node(.literal(.int(pick(ExprGenerator.ints))))
        case .float: return node(.literal(.float(pick(ExprGenerator.floats))))
        case .string: return node(.literal(.string(pick(ExprGenerator.strings))))
        case .bool: return node(.literal(.bool(Bool.random(using: &rng))))
        case .timestamp: return field(.timestamp)
        }
    }

    private mutating func any(_ depth: Int) -> RNode { gen(pick(FieldType.allCases), depth) }

    mutating func gen(_ t: FieldType, _ depth: Int) -> RNode {
        if depth <= 0 || chance(0.25) { return leaf(t) }
        let d = depth - 1
        switch t {
        case .int:
            switch Int.random(in: 0..<12, using: &rng) {
            case 0, 1: return node(.binary(pick(["+", "-", "*", "/", "%"]), gen(.int, d), gen(.int, d)))
            case 2: return node(.negate(gen(.int, d)))
            case 3: return node(.call("length", [gen(.string, d)]))
            case 4: return node(.call("hour", [gen(chance(0.5) ? .timestamp : .int, d)]))
            case 5: return node(.call("int", [any(d)]))
            case 6: return node(.call(pick(["abs", "floor", "ceil", "round"]), [gen(.int, d)]))
            case 7: return node(.call("round", [gen(.int, d), smallInt()]))
            case 8: return node(.binary("-", gen(.timestamp, d), gen(.timestamp, d)))
            case 9: return node(.call("coalesce", (0..<Int.random(in: 1...3, using: &rng)).map { _ in gen(.int, d) }))
            case 10: return node(.call("if", [gen(.bool, d), gen(.int, d), gen(.int, d)]))
            default: return node(.binary(pick(["+", "-", "*", "/", "%"]), gen(.int, d), leaf(.int)))
            }
        case .float:
            switch Int.random(in: 0..<9, using: &rng) {
            case 0, 1: return node(.binary(pick(["+", "-", "*", "/", "%"]), gen(.float, d), gen(pick([.int, .float]), d)))
            case 2: return node(.binary(pick(["+", "-", "*", "/", "%"]), gen(.int, d), gen(.float, d)))
            case 3: return node(.negate(gen(.float, d)))
            case 4: return node(.call(pick(["abs", "floor", "ceil", "round"]), [gen(.float, d)]))
            case 5: return node(.call("round", [gen(.float, d), smallInt()]))
            case 6: return node(.call("float", [gen(pick([.int, .float, .string, .bool, .timestamp]), d)]))
            case 7: return node(.call("coalesce", [gen(.float, d), gen(pick([.int, .float]), d)]))
            default: return node(.call("if", [gen(.bool, d), gen(.int, d), gen(.float, d)]))
            }
        case .bool:
            switch Int.random(in: 0..<9, using: &rng) {
            case 0, 1:
                let (x, y): (FieldType, FieldType) = pick([
                    (.int, .int), (.int, .float), (.float, .float), (.float, .int), (.string, .string),
                    (.timestamp, .timestamp), (.timestamp, .int), (.int, .timestamp),
                ])
                return node(.binary(pick(["==", "!=", "<", "<=", ">", ">="]), gen(x, d), gen(y, d)))
            case 2: return node(.binary(pick(["==", "!="]), gen(.bool, d), gen(.bool, d)))
            case 3, 4: return node(.binary(pick(["&&", "||"]), gen(.bool, d), gen(.bool, d)))
            case 5: return node(.not(gen(.bool, d)))
            case 6: return node(.call(pick(["contains", "starts_with", "ends_with"]), [gen(.string, d), gen(.string, d)]))
            case 7: return node(.call("is_null", [any(d)]))
            default: return node(.call("if", [gen(.bool, d), gen(.bool, d), gen(.bool, d)]))
            }
        case .string:
            switch Int.random(in: 0..<9, using: &rng) {
            case 0: return node(.call(pick(["lower", "upper", "trim"]), [gen(.string, d)]))
            case 1: return node(.call("concat", (0..<Int.random(in: 1...3, using: &rng)).map { _ in any(d) }))
            case 2: return node(.call("substr", [gen(.string, d), smallInt()]))
            case 3: return node(.call("substr", [gen(.string, d), smallInt(), chance(0.5) ? smallInt() : gen(.int, d)]))
            case 4: return node(.call("string", [any(d)]))
            case 5: return node(.call("date", [gen(chance(0.7) ? .timestamp : .int, d)]))
            case 6: return node(.call("coalesce", [gen(.string, d), gen(.string, d)]))
            case 7: return node(.call("if", [gen(.bool, d), gen(.string, d), gen(.string, d)]))
            default: return leaf(.string)
            }
        case .timestamp:
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return node(.binary("+", gen(.timestamp, d), gen(.int, d)))
            case 1: return node(.binary("+", gen(.int, d), gen(.timestamp, d)))
            case 2: return node(.binary("-", gen(.timestamp, d), gen(.int, d)))
            case 3: return node(.call("coalesce", [gen(.timestamp, d), gen(.timestamp, d)]))
            default: return node(.call("if", [gen(.bool, d), gen(.timestamp, d), gen(.timestamp, d)]))
            }
        }
    }

    private mutating func smallInt() -> RNode {
        chance(0.3) ? field(.int) : node(.literal(.int(Int64.random(in: -3...4, using: &rng))))
    }
}
