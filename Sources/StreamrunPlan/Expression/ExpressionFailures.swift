import StreamrunCore

/// Where an expression fails on a record, for operators with `onError`: a cast (`int(x)`,
/// `float(x)`) of a value that is not a number, or a division or modulo by zero. Evaluated normally
/// these give null (like SQL's TRY_CAST); a map with `onError` treats them as bad records instead.
///
/// Inside `coalesce(…)`, `if(…)` and `is_null(…)` they stay lenient: there the null is what the
/// user asked for.
extension CompiledExpression {
    /// Whether the expression has a node that can fail on a record.
    public var canFail: Bool { Self.fallibleNodes(root).isEmpty == false }

    /// The rows where a fallible node got non-null inputs and gave null, each with a message naming
    /// the node and the value (`int(channel) of "abc" is not a number`, `price / qty divides by zero`).
    /// Rows are in ascending order; a row appears once (its first failure).
    public func failures(_ batch: RecordBatch) throws(StreamrunError) -> [(row: Int, message: String)] {
        var found: [Int: String] = [:]
        for node in Self.fallibleNodes(root) {
            let args = try node.children.map { (c) throws(StreamrunError) in try Evaluator.evaluate(c, batch) }
            let result = try Evaluator.evaluate(node, batch)
            for row in 0..<batch.count where found[row] == nil && Self.isNull(result, row) {
                guard !args.contains(where: { Self.isNull($0, row) }) else { continue }
                found[row] = Self.message(node, args, row)
            }
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Casts and divisions not inside `coalesce`, `if` or `is_null`.
    static func fallibleNodes(_ e: Expr) -> [Expr] {
        switch e.op {
        case .coalesce, .ifThenElse, .isNull: return []
        case .call(.toInt, let args), .call(.toFloat, let args):
            return [e] + args.flatMap(fallibleNodes)
        case .arithmetic(.div, let a, let b), .arithmetic(.mod, let a, let b):
            return [e] + fallibleNodes(a) + fallibleNodes(b)
        default:
            return e.children.flatMap(fallibleNodes)
        }
    }

    static func isNull(_ d: Datum, _ row: Int) -> Bool {
        switch d {
        case .scalar(let s): return s.isNull
        case .column(let c): return c.validity.map { !$0[row] } ?? false
        }
    }

    static func message(_ node: Expr, _ args: [Datum], _ row: Int) -> String {
        switch node.op {
        case .call(let f, let a):
            let value = args.first.map { $0.scalar(at: row).value(as: a.first?.type) } ?? .null
            return "\(f.rawValue)(\(describe(a.first))) of \(quoted(value)) is not a number that fits"
        case .arithmetic(let op, let a, let b):
            return "\(describe(a)) \(op == .div ? "/" : "%") \(describe(b)) divides by zero"
        default:
            return "expression failed"
        }
    }

    static func quoted(_ v: Value) -> String {
        if case .string(let text) = v { return "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\"" }
        return v.description
    }

    /// A short name for an operand: a field's name, a constant, or `…`.
    static func describe(_ e: Expr?) -> String {
        guard let e else { return "" }
        switch e.op {
        case .field(_, let name): return name
        case .constant(let s): return quoted(s.value(as: e.type))
        default: return "…"
        }
    }
}
