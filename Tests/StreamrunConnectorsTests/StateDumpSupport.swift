import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

@testable import StreamrunConnectors

/// A job with every kind of keyed state, and builders for snapshots of its operators.
enum DumpJob {
    static let text = """
        { "name": "dump",
          "sources": [ { "id": "bids", "type": "file", "path": "bids.jsonl",
                         "schema": { "auction": "int", "price": "int", "channel": "string", "vip": "bool", "dateTime": "timestamp" },
                         "eventTime": { "field": "dateTime" } } ],
          "operators": [
            { "id": "once", "type": "dedupe", "inputs": ["bids"], "keyBy": ["auction", "channel"], "within": "1h" },
            { "id": "per-auction", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "allowedLateness": "1m",
              "window": { "type": "tumbling", "size": "10s" },
              "aggregates": { "count": "count()", "top": "max(price)", "avg": "avg(price)", "first": "first(channel)" } },
            { "id": "by-channel", "type": "window", "inputs": ["bids"], "keyBy": ["channel", "vip"],
              "window": { "type": "session", "gap": "5s" }, "aggregates": { "n": "count()", "total": "sum(price)" } },
            { "id": "all", "type": "window", "inputs": ["bids"], "window": { "type": "tumbling", "size": "1m" },
              "aggregates": { "n": "count()", "last": "last(dateTime)" } } ],
          "sinks": [ { "id": "a", "type": "stdout", "inputs": ["once"] }, { "id": "b", "type": "stdout", "inputs": ["per-auction"] },
                     { "id": "c", "type": "stdout", "inputs": ["by-channel"] }, { "id": "d", "type": "stdout", "inputs": ["all"] } ] }
        """

    static func plan() throws -> JobPlan { try JobLoader.parse(data: Array(text.utf8), file: "dump.json") }

    /// 2024-01-01T00:00:00Z plus `seconds`.
    static func at(_ seconds: Int64) -> Value { .timestamp(1_704_067_200_000 + seconds * 1000) }

    /// auction, price, channel, vip, dateTime.
    static let rows: [[Value]] = [
        [.int(1007), .int(100), .string("Google"), .bool(false), at(1)],
        [.int(1007), .int(120), .string("Apple"), .bool(true), at(11)],
        [.int(1008), .int(50), .string("Google"), .bool(false), at(12)],
        [.int(1007), .int(80), .string("Google"), .bool(false), at(14)],
        [.int(1007), .int(90), .string("Google"), .bool(false), at(15)],
    ]

    /// The watermark after the rows: the first 10 s window of auction 1007 has fired.
    static let watermark = Watermark(milliseconds: 1_704_067_200_000 + 14_999)

    /// The state of window `id` after ``rows`` and ``watermark``, as one subtask's snapshot.
    static func windowSnapshot<Key: StateKey>(_ id: String, _: Key.Type) throws -> OperatorSnapshot {
        let node = try plan().node(NodeID(id))!
        guard case .window(let w) = node.kind else { throw StreamrunError(.internalError, "not a window") }
        var machine = WindowStateMachine<Key>(config: try WindowConfig(node: node, plan: w), maxParallelism: 128)
        _ = try machine.process(RecordBatch(schema: node.inputSchema!, rows: rows))
        _ = machine.advance(to: watermark)
        return snapshot(id, WindowStateCodec.encode(machine.capture()))
    }

    /// The state of the dedupe after ``rows`` and ``watermark``.
    static func dedupeSnapshot() throws -> OperatorSnapshot {
        let node = try plan().node("once")!
        guard case .dedupe(let d) = node.kind else { throw StreamrunError(.internalError, "not a dedupe") }
        var machine = DedupeStateMachine<BytesStateKey>(keyFields: d.keyFields, keyTypes: d.keyFields.map { node.inputSchema![$0].type },
                                                        timeField: d.timeField!, withinMs: d.withinMs, maxParallelism: 128)
        _ = try machine.process(RecordBatch(schema: node.inputSchema!, rows: rows))
        machine.advance(to: watermark)
        return snapshot("once", DedupeStateCodec.encode(machine.capture()))
    }

    static func snapshot(_ id: String, _ p: SnapshotPayload, subtask: Int = 0, parallelism: Int = 1) -> OperatorSnapshot {
        OperatorSnapshot(operatorID: id, subtask: subtask, parallelism: parallelism, maxParallelism: 128,
                         keyGroups: p.keyGroups, named: p.named)
    }

    /// `s` cut into the snapshots of `parallelism` subtasks by key group, as a rescaled job stores it.
    static func split(_ s: OperatorSnapshot, parallelism: Int) -> [OperatorSnapshot] {
        (0..<parallelism).map { i in
            let range = KeyGroups.range(subtask: i, maxParallelism: 128, parallelism: parallelism)
            return OperatorSnapshot(operatorID: s.operatorID, subtask: i, parallelism: parallelism, maxParallelism: 128,
                                    keyGroups: s.keyGroups.filter { range.contains($0.key) }, named: s.named)
        }
    }

    static func dump(_ id: String, type: String, _ snapshots: [OperatorSnapshot]) throws -> [String] {
        try StateDescription.lines(type: type, node: try plan().node(NodeID(id)), snapshots: snapshots, maxParallelism: 128)
    }
}
