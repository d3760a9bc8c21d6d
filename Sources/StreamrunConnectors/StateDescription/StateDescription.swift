import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan

/// How each connector's state in a checkpoint reads as JSON lines, for `streamrun state dump`.
///
/// - window: one line per key and window, `{"keyGroup":12,"key":{"auction":1007},"window":{"start":…,"end":…},"fired":false,"aggregates":{"count":3,"top":120}}`
/// - dedupe: one line per key, `{"keyGroup":3,"key":{"auction":1007},"lastSeen":1704067212000}`
/// - file or generator source: one line per subtask with its splits (offsets, event time seen)
/// - file sink: one line per subtask with its pending files and next sequence numbers
///   (``FileSink/describeState(_:)``)
///
/// Keyed lines come in key group order, then key order (``KeyCodec``), then window start; the
/// others in subtask order.
public enum StateDescription {
    /// The lines for the state files of one operator of type `type` (as the manifest names it:
    /// `window`, `source:file`, ...). Keyed types need the operator's `node`.
    public static func lines(type: String, node: PlanNode?, snapshots: [OperatorSnapshot], maxParallelism: Int) throws(StreamrunError) -> [String] {
        let subtasks = snapshots.sorted { $0.subtask < $1.subtask }
        let json: [OrderedJSON]
        switch (type, node?.kind) {
        case ("window", .window(let plan)?): json = try windowLines(node!, plan, subtasks, maxParallelism: maxParallelism)
        case ("dedupe", .dedupe(let plan)?): json = try dedupeLines(node!, plan, subtasks, maxParallelism: maxParallelism)
        case ("source:file", _): json = try fileSourceLines(subtasks)
        case ("source:generator", _): json = try generatorLines(subtasks)
        case ("sink:file", _): json = try FileSink.describeState(subtasks)
        default:
            guard subtasks.allSatisfy({ $0.keyGroups.isEmpty && $0.named.isEmpty }) else {
                throw StreamrunError(.usage, "cannot decode the state of a \(type) operator")
            }
            json = []
        }
        return json.map(\.compact)
    }
}
