import StreamrunCore
import Testing

@testable import StreamrunPlan

/// Shared schema and helpers for the expression tests.
enum ExprFixture {
    static let schema = Schema([
        Field("price", .int), Field("auction", .int), Field("qty", .int),
        Field("rate", .float), Field("fee", .float),
        Field("name", .string), Field("city", .string),
        Field("ok", .bool), Field("flag", .bool),
        Field("ts", .timestamp), Field("ts2", .timestamp),
        Field("odd name", .int),
    ])

    static func compile(_ source: String, schema: Schema = schema) throws -> CompiledExpression {
        try ExpressionCompiler.compile(source, schema: schema).get()
    }

    /// The compile error for `source` (failing the test when it compiles).
    static func error(_ source: String, schema: Schema = schema, sourceLocation: SourceLocation = #_sourceLocation) -> ExpressionError? {
        switch ExpressionCompiler.compile(source, schema: schema) {
        case .success(let e):
            Issue.record("expected \(source) to fail, got type \(String(describing: e.type))", sourceLocation: sourceLocation)
            return nil
        case .failure(let err): return err
        }
    }

    /// A row with the given fields set (by name) and everything else null.
    static func row(_ values: [String: Value], schema: Schema = schema) -> [Value] {
        schema.fields.map { values[$0.name] ?? .null }
    }

    /// Evaluates `source` over `rows` and returns one value per row, checking the column's shape.
    static func eval(
        _ source: String, _ rows: [[Value]], schema: Schema = schema, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [Value] {
        let e = try compile(source, schema: schema)
        let batch = RecordBatch(schema: schema, rows: rows)
        let col = try e.evaluate(batch)
        #expect(col.count == rows.count, "count of \(source)", sourceLocation: sourceLocation)
        #expect(storageMatches(col, e.type), "storage of \(source) for type \(String(describing: e.type))", sourceLocation: sourceLocation)
        return (0..<col.count).map { col.value(at: $0, as: e.type ?? .string) }
    }

    /// Evaluates an expression that reads no field (on one all-null row).
    static func value(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Value {
        try eval(source, [row([:])], sourceLocation: sourceLocation)[0]
    }

    static func storageMatches(_ c: Column, _ t: FieldType?) -> Bool {
        switch (c.storage, t) {
        case (.int, .int?), (.int, .timestamp?), (.float, .float?), (.bool, .bool?), (.string, .string?), (.string, nil):
            return true
        default: return false
        }
    }
}

/// Value equality that treats NaN as equal to NaN.
func sameValue(_ a: Value, _ b: Value) -> Bool {
    if case .float(let x) = a, case .float(let y) = b { return x == y || (x.isNaN && y.isNaN) }
    return a == b
}
