import StreamrunCore

/// An expression type-checked against a schema, ready to evaluate over whole batches.
///
/// Evaluation is vectorized: each node of the compiled tree runs one tight loop over typed arrays,
/// constants stay scalars (they are never broadcast into arrays until the final result), and a
/// field reference returns the batch's own column without copying. Constant subexpressions were
/// already folded at compile time.
///
/// Values follow SQL null semantics: a null input makes arithmetic, comparisons and functions null,
/// except `&&`/`||` (three-valued logic), `coalesce`, `if` (whose unselected branch does not matter)
/// and `is_null`. Integer arithmetic wraps like Java's; division or modulo by zero is null.
///
/// The value is immutable and `Sendable`, so one compiled expression is shared by every task.
public struct CompiledExpression: Sendable {
    /// The text the user wrote.
    public let source: String
    /// The result type; `nil` only for an expression that is always null, like the bare `null` literal.
    public let type: FieldType?
    let root: Expr

    init(source: String, root: Expr) {
        self.source = source
        self.type = root.type
        self.root = root
    }

    /// Evaluates the expression for every row of `batch` (whose columns follow the schema it was
    /// compiled against) and returns one column of `batch.count` values.
    ///
    /// The column's storage follows ``type``: `.int` for int and timestamp, `.float`, `.bool`,
    /// `.string`; an expression of the null type gives a `.string` column of nulls. Null slots hold
    /// the placeholder value (0, 0.0, false or the empty string).
    ///
    /// - Important: Throws an `.internalError` only when `batch` does not match the schema the
    ///   expression was compiled against (a bug in the caller); bad data gives nulls, never errors.
    public func evaluate(_ batch: RecordBatch) throws(StreamrunError) -> Column {
        switch try Evaluator.evaluate(root, batch) {
        case .scalar(let s): return s.broadcast(batch.count, as: type)
        case .column(let c):
            if case .field = root.op { return c }
            return c.normalizingNullSlots()
        }
    }

    /// For a filter: true for the rows where the expression is true; null and false rows are dropped.
    ///
    /// - Important: The expression must be of type bool (or the null type, which selects nothing).
    public func selection(_ batch: RecordBatch) throws(StreamrunError) -> [Bool] {
        precondition(type == .bool || type == nil, "selection(_:) needs a bool expression, got \(String(describing: type))")
        switch try Evaluator.evaluate(root, batch) {
        case .scalar(let s): return [Bool](repeating: s == .bool(true), count: batch.count)
        case .column(let c):
            guard case .bool(let v) = c.storage else { return [Bool](repeating: false, count: batch.count) }
            guard let valid = c.validity else { return v }
            return Loops.map(.array(v), .array(valid), v.count) { $0 && $1 }
        }
    }

    /// The value of an expression that reads no field (folded at compile time), else nil.
    /// `.null` means the constant is null.
    public var constantValue: Value? { root.constantValue.map { $0.value(as: type) } }

    /// The indices of the schema fields the expression reads, ascending.
    public var fieldIndices: [Int] { root.fieldIndices }
}

/// A problem in an expression: what was wrong and the character offset in the source.
///
/// Offsets count Unicode scalars from the start of the expression (equal to characters for
/// ASCII text). Parse errors also say the offset in the message; type errors name the problem
/// (`unknown field "prise" (did you mean "price"?)`) and keep the offset here.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int?
    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }
    public var description: String { message }
}

/// Parses and type-checks expressions.
///
/// The language: literals (`123`, `0.5`, `1e3`, `'text'`, `"text"`, `true`, `false`, `null`); field
/// names, or `` `any name` `` in backquotes; operators by precedence, low to high: `||` (`or`),
/// `&&` (`and`), comparisons `== != < <= > >=` (which do not chain), `+ -`, `* / %`, unary
/// `!` (`not`) and `-`; and function calls (see ``ExpressionCompiler/functions``).
public enum ExpressionCompiler {
    /// Parses and type-checks `source` against `schema`.
    public static func compile(_ source: String, schema: Schema) -> Result<CompiledExpression, ExpressionError> {
        do throws(ExpressionError) {
            let syntax = try Parser.parse(source)
            let root = try TypeChecker(schema: schema).check(syntax)
            return .success(CompiledExpression(source: source, root: root))
        } catch {
            return .failure(error)
        }
    }

    /// The names of the built-in functions, sorted.
    public static var functions: [String] { TypeChecker.functionNames.sorted() }
}
