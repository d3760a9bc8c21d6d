import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Keeps the rows where the predicate is true (null counts as false, as in SQL).
final class FilterOperator: StreamOperator {
    let predicate: CompiledExpression

    init(predicate: CompiledExpression) { self.predicate = predicate }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        let result = try predicate.evaluate(batch)
        guard case .bool(let values) = result.storage else {
            throw StreamrunError(.internalError, "filter \(context.nodeID): predicate did not yield bools", retry: .internal)
        }
        var keep: [Int32] = []
        keep.reserveCapacity(batch.count)
        if let valid = result.validity {
            for i in 0..<batch.count where values[i] && valid[i] { keep.append(Int32(i)) }
        } else {
            values.withUnsafeBufferPointer { v in
                for i in 0..<v.count where v[i] { keep.append(Int32(i)) }
            }
        }
        if keep.count == batch.count {
            try await context.main.emit(batch)
        } else if !keep.isEmpty {
            try await context.main.emit(batch.gather(keep))
        }
    }
}
