import StreamrunCore
import StreamrunRuntime

// Non-generic front ends for the keyed operators.
//
// `WindowOperator<Key>` and `DedupeOperator<Key>` are generic over the key representation. Called
// through `any StreamOperator`, a generic class's conformance runs unspecialized code: every call
// looks up generic metadata and boxes values of the key type (measured: ~17% of q5's time and ~5
// allocations per row). These wrappers name the key type, so each call into the generic operator is
// direct and the optimizer specializes the whole per-row path for `IntStateKey` or `BytesStateKey`.

final class IntKeyWindowOperator: StreamOperator {
    let inner: WindowOperator<IntStateKey>
    init(_ inner: WindowOperator<IntStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Int64, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
}

final class BytesKeyWindowOperator: StreamOperator {
    let inner: WindowOperator<BytesStateKey>
    init(_ inner: WindowOperator<BytesStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Int64, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
}

final class IntKeyDedupeOperator: StreamOperator {
    let inner: DedupeOperator<IntStateKey>
    init(_ inner: DedupeOperator<IntStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Int64, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
}

final class BytesKeyDedupeOperator: StreamOperator {
    let inner: DedupeOperator<BytesStateKey>
    init(_ inner: DedupeOperator<BytesStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Int64, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
}
