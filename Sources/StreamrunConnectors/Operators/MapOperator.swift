import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Computes new columns and reshapes the record: every output column is an input column (no copy)
/// or the result of one of the map's expressions, all evaluated against the input batch.
///
/// With `onError`, a record on which an expression fails (a cast of a value that is not a number, a
/// division by zero; see ``CompiledExpression/failures(_:)``) is a bad record: it fails the job, goes
/// to the `.dead` output as a dead letter holding the input record as JSON, or is skipped (counted).
final class MapOperator: StreamOperator {
    let program: MapProgram
    let inputSchema: Schema
    /// Expressions that can fail, with the field each sets; empty without `onError`.
    private let fallible: [(index: Int, name: String)]
    /// Counts, logs and collects the bad records (dead-letter or skip); created by the first one.
    private var handler: BadRecordHandler?

    /// The source the map's records come from (its dead letters' `source`); nil when several.
    let source: String?

    init(program: MapProgram, inputSchema: Schema = Schema([]), source: String? = nil) {
        self.program = program
        self.inputSchema = inputSchema
        self.source = source
        self.fallible = program.onError == nil ? [] : program.expressions.indices.compactMap { i in
            program.expressions[i].canFail ? (i, i < program.names.count ? program.names[i] : "set[\(i)]") : nil
        }
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        if !fallible.isEmpty, let bad = try await badRows(batch, context: context) {
            let keep = (0..<batch.count).map { bad[$0] == nil }
            let good = batch.filter(keep)
            try await emit(good, context: context)
            return
        }
        try await emit(batch, context: context)
    }

    private func emit(_ batch: RecordBatch, context: OperatorContext) async throws {
        guard batch.count > 0 else { return }
        var computed: [Column] = []
        computed.reserveCapacity(program.expressions.count)
        for e in program.expressions { computed.append(try e.evaluate(batch)) }
        let columns = program.outputs.map { out -> Column in
            switch out {
            case .input(let i): return batch.columns[i]
            case .computed(let i): return computed[i]
            }
        }
        try await context.main.emit(RecordBatch(count: batch.count, columns: columns))
    }

    /// The rows on which an expression fails, each with its dead letter; nil when there are none.
    /// Fails the job under `"fail"`; dead-letters or counts them otherwise.
    private func badRows(_ batch: RecordBatch, context: OperatorContext) async throws -> [Int: DeadLetter]? {
        var bad: [Int: DeadLetter] = [:]
        for (i, name) in fallible {
            for (row, message) in try program.expressions[i].failures(batch) where bad[row] == nil {
                let text = "field \"\(name)\": \(message)"
                bad[row] = DeadLetter(source: source ?? "", operatorID: context.nodeID.name, field: name, rule: .expression, message: text,
                                      raw: rowJSON(batch, row))
            }
        }
        guard !bad.isEmpty else { return nil }
        let letters = bad.sorted { $0.key < $1.key }.map(\.value)
        switch program.onError {
        case .fail?, nil:
            throw StreamrunError(.evaluation, letters[0].message, location: "operator \"\(context.nodeID)\"")
        case .deadLetter?, .skip?:
            let handler = self.handler ?? BadRecordHandler(id: context.nodeID.name, onError: program.onError!, metrics: context.metrics)
            self.handler = handler
            for l in letters { try handler.bad(l, location: "operator \"\(context.nodeID)\"") }
            if let batch = handler.takeDeadLetters() { try await context.dead?.emit(batch) }
        }
        return bad
    }

    /// Row `row` of the input as a JSON object (what a dead letter of this operator holds as `raw`).
    private func rowJSON(_ batch: RecordBatch, _ row: Int) -> [UInt8] {
        var out: [UInt8] = []
        JSONLEncoder(EncoderColumns(schema: inputSchema)).encode(batch, rows: [Int32(row)], into: &out)
        if out.last == 10 { out.removeLast() }
        return out
    }
}
