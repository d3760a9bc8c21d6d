import StreamrunCore

// INTERFACE STUB — the expression helper replaces this file's internals; the public API stays.

/// An expression type-checked against a schema, ready to evaluate over whole batches.
public struct CompiledExpression: Sendable {
    /// The text the user wrote.
    public let source: String
    /// The result type; `nil` only for an expression that is the bare `null` literal.
    public let type: FieldType?

    /// Evaluates the expression for every row of `batch` (whose columns follow the schema it was
    /// compiled against) and returns one column of `batch.count` values.
    public func evaluate(_ batch: RecordBatch) throws(StreamrunError) -> Column {
        fatalError("stub")
    }
}

/// A problem in an expression: what was wrong and the character offset in the source.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int?
    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }
    public var description: String { message }
}

public enum ExpressionCompiler {
    /// Parses and type-checks `source` against `schema`.
    public static func compile(_ source: String, schema: Schema) -> Result<CompiledExpression, ExpressionError> {
        fatalError("stub")
    }
}
