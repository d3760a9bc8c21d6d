import StreamrunCore
import StreamrunRuntime

// Non-generic front ends for the keyed operators.
//
// `WindowOperator<Key>` and `DedupeOperator<Key>` are generic over the key representation. Called
// through `any StreamOperator`, a generic class's conformance runs unspecialized code: every call
// looks up generic metadata and boxes values of the key type (measured: ~17% of q5's time and ~5
// allocations per row). These wrappers name the key type, so each call into the generic operator is
// direct and the optimizer specializes the whole per-row path for `IntStateKey` or `BytesStateKey`.
// Checkpoint hooks (`snapshotState`, `restoreState`) are forwarded the same way.

final class IntKeyWindowOperator: RestorableOperator {
    let inner: WindowOperator<IntStateKey>
    init(_ inner: WindowOperator<IntStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Watermark, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        try await inner.snapshotState(checkpoint: id, context: context)
    }
    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError) {
        try inner.restoreState(keyGroups: keyGroups, named: named, maxParallelism: maxParallelism)
    }
}

final class BytesKeyWindowOperator: RestorableOperator {
    let inner: WindowOperator<BytesStateKey>
    init(_ inner: WindowOperator<BytesStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Watermark, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        try await inner.snapshotState(checkpoint: id, context: context)
    }
    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError) {
        try inner.restoreState(keyGroups: keyGroups, named: named, maxParallelism: maxParallelism)
    }
}

final class IntKeyDedupeOperator: RestorableOperator {
    let inner: DedupeOperator<IntStateKey>
    init(_ inner: DedupeOperator<IntStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Watermark, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        try await inner.snapshotState(checkpoint: id, context: context)
    }
    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError) {
        try inner.restoreState(keyGroups: keyGroups, named: named, maxParallelism: maxParallelism)
    }
}

final class BytesKeyDedupeOperator: RestorableOperator {
    let inner: DedupeOperator<BytesStateKey>
    init(_ inner: DedupeOperator<BytesStateKey>) { self.inner = inner }
    func process(_ batch: RecordBatch, context: OperatorContext) async throws { try await inner.process(batch, context: context) }
    func processWatermark(_ w: Watermark, context: OperatorContext) async throws { try await inner.processWatermark(w, context: context) }
    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        try await inner.snapshotState(checkpoint: id, context: context)
    }
    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError) {
        try inner.restoreState(keyGroups: keyGroups, named: named, maxParallelism: maxParallelism)
    }
}
