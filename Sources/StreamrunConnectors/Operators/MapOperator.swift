import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Computes new columns and reshapes the record: every output column is an input column (no copy)
/// or the result of one of the map's expressions, all evaluated against the input batch.
final class MapOperator: StreamOperator {
    let program: MapProgram

    init(program: MapProgram) { self.program = program }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
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
}
