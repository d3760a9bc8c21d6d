import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// What a window operator needs from the plan, resolved to indexes and kernels once.
struct WindowConfig: Sendable {
    var window: WindowSpec
    var keyFields: [Int]
    var keyTypes: [FieldType]
    var timeField: Int
    var aggregators: [Aggregator]
    var allowedLatenessMs: Int64
    var stateTtlMs: Int64?
    var outputSchema: Schema

    init(node: PlanNode, plan: WindowPlan) throws {
        guard let input = node.inputSchema, let time = plan.timeField else {
            throw StreamrunError(.internalError, "window \"\(node.id)\" has no input schema or event-time field", retry: .internal)
        }
        window = plan.window
        keyFields = plan.keyFields
        keyTypes = plan.keyFields.map { input[$0].type }
        timeField = time
        aggregators = plan.aggregates.map(Aggregator.init)
        allowedLatenessMs = max(plan.allowedLatenessMs, 0)
        stateTtlMs = plan.stateTtlMs
        outputSchema = node.outputSchema
    }

    init(window: WindowSpec, keyFields: [Int], keyTypes: [FieldType], timeField: Int, aggregates: [CompiledAggregate],
         allowedLatenessMs: Int64, stateTtlMs: Int64?, outputSchema: Schema) {
        self.window = window
        self.keyFields = keyFields
        self.keyTypes = keyTypes
        self.timeField = timeField
        self.aggregators = aggregates.map(Aggregator.init)
        self.allowedLatenessMs = allowedLatenessMs
        self.stateTtlMs = stateTtlMs
        self.outputSchema = outputSchema
    }
}

/// One window of one key: its bounds, whether it has fired, and one accumulator per aggregate.
struct WindowState: Sendable {
    var start: Int64
    var end: Int64
    /// The watermark has reached `end - 1`: the window's result was (or is about to be) emitted.
    var fired: Bool
    /// Fired, then updated by a record within the allowed lateness: re-emit after the batch.
    var dirty: Bool
    /// One accumulator per aggregate; the first is stored inline.
    var accs: SmallArray<Accumulator>
}

/// The open windows of one key, in the order the operator keeps them (the order session merges
/// depend on). Almost always one window, stored inline in the key's state entry.
typealias WindowList = SmallArray<WindowState>

/// A due point of a window: at `time` (its fire time `end - 1`, or its cleanup time
/// `end - 1 + allowedLateness`), look at the window of `key` that ends at `end`.
///
/// Timers are not removed when a session grows or a key expires; a popped timer whose window is gone
/// (or already fired) is simply ignored.
struct WindowTimer<Key: StateKey>: Comparable, Sendable {
    var time: Int64
    var end: Int64
    var group: Int
    var key: Key

    static func < (a: WindowTimer, b: WindowTimer) -> Bool { a.time < b.time }
    static func == (a: WindowTimer, b: WindowTimer) -> Bool {
        a.time == b.time && a.end == b.end && a.group == b.group && a.key == b.key
    }
}

/// A window result ready to emit, ordered by (window_end, window_start, key).
struct WindowResult<Key: StateKey>: Comparable {
    var key: Key
    var start: Int64
    var end: Int64
    var accs: SmallArray<Accumulator>

    static func < (a: WindowResult, b: WindowResult) -> Bool {
        if a.end != b.end { return a.end < b.end }
        if a.start != b.start { return a.start < b.start }
        return a.key < b.key
    }

    static func == (a: WindowResult, b: WindowResult) -> Bool {
        a.end == b.end && a.start == b.start && a.key == b.key
    }
}
