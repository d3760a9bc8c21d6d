/// The parsed, untyped form of an expression. Every node keeps the offset used in error messages:
/// the start of a literal or name, or the operator of a unary or binary expression.
struct Syntax: Sendable {
    indirect enum Kind: Sendable {
        case int(Int64)
        case float(Double)
        case string(String)
        case bool(Bool)
        case null
        case field(String)
        case unary(UnaryOperator, Syntax)
        case binary(BinaryOperator, Syntax, Syntax)
        case call(String, [Syntax])
    }

    var kind: Kind
    var offset: Int
    /// How the operator was spelled (`&&` or `and`), for messages.
    var spelling: String = ""
}

enum UnaryOperator: Sendable {
    case not
    case negate
}

enum BinaryOperator: Sendable, Hashable {
    case or, and
    case eq, ne, lt, le, gt, ge
    case add, sub, mul, div, mod

    var isComparison: Bool {
        switch self {
        case .eq, .ne, .lt, .le, .gt, .ge: return true
        default: return false
        }
    }

    static func comparison(_ symbol: String) -> BinaryOperator? {
        switch symbol {
        case "==": return .eq
        case "!=": return .ne
        case "<": return .lt
        case "<=": return .le
        case ">": return .gt
        case ">=": return .ge
        default: return nil
        }
    }
}
