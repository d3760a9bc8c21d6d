import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// The `dedupe` operator: emits a record only if its key was not emitted within `within` before it.
///
/// Output has the input schema, rows in input order. Dropped duplicates are counted in the node's
/// `duplicates` counter. See ``DedupeStateMachine`` for the exact rule.
final class DedupeOperator<Key: StateKey>: StreamOperator {
    let plan: DedupePlan
    let keyTypes: [FieldType]
    let fixedMaxParallelism: Int?
    var machine: DedupeStateMachine<Key>?

    init(plan: DedupePlan, keyTypes: [FieldType], maxParallelism: Int? = nil) {
        self.plan = plan
        self.keyTypes = keyTypes
        self.fixedMaxParallelism = maxParallelism
    }

    private func prepare(_ context: OperatorContext) throws {
        try prepare(maxParallelism: context.maxParallelism, nodeID: context.nodeID)
    }

    func prepare(maxParallelism: Int, nodeID: NodeID) throws {
        guard machine == nil else { return }
        guard let time = plan.timeField else {
            throw StreamrunError(.internalError, "dedupe \"\(nodeID)\" has no event-time field", retry: .internal)
        }
        machine = DedupeStateMachine(keyFields: plan.keyFields, keyTypes: keyTypes, timeField: time, withinMs: plan.withinMs,
                                     maxParallelism: fixedMaxParallelism ?? maxParallelism)
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        try prepare(context)
        let (out, duplicates) = try machine!.process(batch)
        if duplicates > 0 { context.metrics?.duplicates.add(duplicates) }
        if let out { try await context.main.emit(out) }
    }

    func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws {
        try prepare(context)
        machine!.advance(to: watermark)
        try await context.main.emitWatermark(watermark)
        try await context.late?.emitWatermark(watermark)
    }
}

/// Builds the dedupe operator with the key representation that suits its key fields.
enum DedupeOperators {
    static func make(node: PlanNode, plan: DedupePlan, maxParallelism: Int? = nil) throws -> any StreamOperator {
        guard let input = node.inputSchema else {
            throw StreamrunError(.internalError, "dedupe \"\(node.id)\" has no input schema", retry: .internal)
        }
        let types = plan.keyFields.map { input[$0].type }
        if IntStateKey.fits(types) {
            return IntKeyDedupeOperator(DedupeOperator<IntStateKey>(plan: plan, keyTypes: types, maxParallelism: maxParallelism))
        }
        return BytesKeyDedupeOperator(DedupeOperator<BytesStateKey>(plan: plan, keyTypes: types, maxParallelism: maxParallelism))
    }
}
