import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// An event-time window (tumbling, sliding or session) with incremental aggregates, per key.
///
/// The logic lives in ``WindowStateMachine``; this class only feeds it and emits what it returns:
/// re-emitted results and late rows after each batch, and fired results before forwarding each
/// watermark (on the main and the late output). Late rows are counted in the node's `lateRecords`
/// whether or not anything reads the `.late` output.
///
/// Keyed state is partitioned by the job's `maxParallelism` key groups, taken from the operator
/// context on first use unless given at construction.
///
/// - Important: Throws only on a plan/batch mismatch (an internal error).
final class WindowOperator<Key: StateKey>: StreamOperator {
    let config: WindowConfig
    let fixedMaxParallelism: Int?
    var machine: WindowStateMachine<Key>?

    init(config: WindowConfig, maxParallelism: Int? = nil) {
        self.config = config
        self.fixedMaxParallelism = maxParallelism
    }

    func prepare(_ context: OperatorContext) {
        if machine == nil {
            machine = WindowStateMachine(config: config, maxParallelism: fixedMaxParallelism ?? context.maxParallelism)
        }
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        prepare(context)
        let out = try machine!.process(batch)
        for b in out.results { try await context.main.emit(b) }
        if let late = out.late {
            context.metrics?.lateRecords.add(late.count)
            try await context.late?.emit(late)
        }
    }

    func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws {
        prepare(context)
        for b in machine!.advance(to: watermark) { try await context.main.emit(b) }
        try await context.main.emitWatermark(watermark)
        try await context.late?.emitWatermark(watermark)
    }

    /// The runner delivers watermark ``Watermark/max`` before `finish`, so this normally has nothing to do;
    /// it fires whatever is left if that watermark never came.
    func finish(context: OperatorContext) async throws {
        guard let m = machine, m.watermark < .max else { return }
        try await processWatermark(.max, context: context)
    }
}

/// Builds the window operator with the key representation that suits its key fields.
enum WindowOperators {
    static func make(node: PlanNode, plan: WindowPlan, maxParallelism: Int? = nil) throws -> any StreamOperator {
        make(config: try WindowConfig(node: node, plan: plan), maxParallelism: maxParallelism)
    }

    static func make(config: WindowConfig, maxParallelism: Int? = nil) -> any StreamOperator {
        if IntStateKey.fits(config.keyTypes) {
            return IntKeyWindowOperator(WindowOperator<IntStateKey>(config: config, maxParallelism: maxParallelism))
        }
        return BytesKeyWindowOperator(WindowOperator<BytesStateKey>(config: config, maxParallelism: maxParallelism))
    }
}
