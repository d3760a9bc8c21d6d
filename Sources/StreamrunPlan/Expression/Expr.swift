import StreamrunCore

/// A constant: the value of a literal or of a folded constant subexpression.
///
/// Strings are kept as UTF-8 bytes so kernels compare and copy them without building `String`s.
enum Scalar: Sendable, Hashable {
    case null
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string([UInt8])

    var isNull: Bool { self == .null }

    init(_ s: String) { self = .string(Array(s.utf8)) }

    /// The value for `type` (which tells a timestamp from an int).
    func value(as type: FieldType?) -> Value {
        switch self {
        case .null: return .null
        case .int(let v): return type == .timestamp ? .timestamp(v) : .int(v)
        case .float(let v): return .float(v)
        case .bool(let v): return .bool(v)
        case .string(let b): return .string(String(decoding: b, as: UTF8.self))
        }
    }

    /// Row `i` of `column` as a scalar.
    init(_ column: Column, at i: Int) {
        if column.isNull(i) {
            self = .null
            return
        }
        switch column.storage {
        case .int(let a): self = .int(a[i])
        case .float(let a): self = .float(a[i])
        case .bool(let a): self = .bool(a[i])
        case .string(let a): self = .string(Array(a.bytes[a.range(i)]))
        }
    }

    /// `count` copies of this scalar, stored as `type` stores (nil, the null type, uses string storage).
    func broadcast(_ count: Int, as type: FieldType?) -> Column {
        switch self {
        case .null: return Column.nulls(type ?? .string, count: count)
        case .int(let v): return Column(.int([Int64](repeating: v, count: count)))
        case .float(let v): return Column(.float([Double](repeating: v, count: count)))
        case .bool(let v): return Column(.bool([Bool](repeating: v, count: count)))
        case .string(let b):
            var out = StringArray()
            out.reserve(strings: count, bytes: b.count * count)
            for _ in 0..<count { out.append(bytes: b) }
            return Column(.string(out))
        }
    }
}

/// An input or output of a kernel: a whole column, or one scalar standing for every row.
enum Datum: Sendable {
    case column(Column)
    case scalar(Scalar)

    var isNullScalar: Bool { if case .scalar(.null) = self { return true } else { return false } }
    var isScalar: Bool { if case .scalar = self { return true } else { return false } }

    /// The validity mask (nil = all valid). A null scalar must be handled before calling this.
    var validity: [Bool]? { if case .column(let c) = self { return c.validity } else { return nil } }

    /// The value at row `i` (cold paths).
    func scalar(at i: Int) -> Scalar {
        switch self {
        case .scalar(let s): return s
        case .column(let c): return Scalar(c, at: i)
        }
    }
}

/// Built-in functions that compile to a kernel call (`if`, `coalesce` and `is_null` have their own nodes).
enum Builtin: String, Sendable, CaseIterable {
    case lower, upper, trim, length, contains
    case startsWith = "starts_with"
    case endsWith = "ends_with"
    case concat, substr
    case abs, round, floor, ceil
    case toInt = "int"
    case toFloat = "float"
    case toString = "string"
    case date, hour
}

/// A type-checked node: its result type and operation. Immutable, so shared freely across tasks.
final class Expr: Sendable {
    enum Op: Sendable {
        case constant(Scalar)
        /// Column `index` of the batch, declared with `type`.
        case field(index: Int, name: String)
        /// `+ - * / %` on operands of the same storage (both int-stored or both float).
        case arithmetic(BinaryOperator, Expr, Expr)
        case negate(Expr)
        /// A comparison of operands of the same storage.
        case compare(BinaryOperator, Expr, Expr)
        case not(Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        case isNull(Expr)
        case coalesce([Expr])
        case ifThenElse(Expr, Expr, Expr)
        case call(Builtin, [Expr])
    }

    /// nil only for the null type (an expression that is always null, like the bare `null`).
    let type: FieldType?
    let op: Op

    init(_ type: FieldType?, _ op: Op) {
        self.type = type
        self.op = op
    }

    static func constant(_ s: Scalar, _ type: FieldType?) -> Expr { Expr(type, .constant(s)) }

    var constantValue: Scalar? { if case .constant(let s) = op { return s } else { return nil } }

    var children: [Expr] {
        switch op {
        case .constant, .field: return []
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return [a, b]
        case .negate(let a), .not(let a), .isNull(let a): return [a]
        case .coalesce(let args), .call(_, let args): return args
        case .ifThenElse(let c, let a, let b): return [c, a, b]
        }
    }

    /// The indices of the fields this expression reads, sorted, without repeats.
    var fieldIndices: [Int] {
        var seen = Set<Int>()
        func walk(_ e: Expr) {
            if case .field(let i, _) = e.op { seen.insert(i) }
            for c in e.children { walk(c) }
        }
        walk(self)
        return seen.sorted()
    }
}
