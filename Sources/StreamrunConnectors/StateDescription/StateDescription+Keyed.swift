import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

// Keyed state (windows, dedupe): one line per key (and window), in key group, then key order.
extension StateDescription {
    static func windowLines(_ node: PlanNode, _ plan: WindowPlan, _ snapshots: [OperatorSnapshot],
                            maxParallelism: Int) throws(StreamrunError) -> [OrderedJSON] {
        let config: WindowConfig
        do {
            config = try WindowConfig(node: node, plan: plan)
        } catch {
            throw StreamrunError(.usage, "the job's window \"\(node.id)\" cannot be configured: \(error)")
        }
        let aggregators = config.aggregators
        let names = plan.aggregates.map(\.name)
        var out: [OrderedJSON] = []
        try forEachKey(snapshots, node: node, keyFields: plan.keyFields, maxParallelism: maxParallelism, versions: WindowStateCodec.versions,
                       value: { (r: inout SnapshotReader, _: UInt8) throws(StreamrunError) in
                           try WindowStateCodec.readWindowsV1(&r, aggregators: aggregators)
                       }) { group, key, windows in
            for w in windows.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
                let aggregates = zip(names, zip(aggregators, w.accs)).map { name, pair in (name, OrderedJSON(pair.0.result(pair.1))) }
                out.append(.object([
                    ("keyGroup", .int(Int64(group))), ("key", key),
                    ("window", .object([("start", .int(w.start)), ("end", .int(w.end))])),
                    ("fired", .bool(w.fired)), ("aggregates", .object(aggregates)),
                ]))
            }
        }
        return out
    }

    static func dedupeLines(_ node: PlanNode, _ plan: DedupePlan, _ snapshots: [OperatorSnapshot],
                            maxParallelism: Int) throws(StreamrunError) -> [OrderedJSON] {
        var out: [OrderedJSON] = []
        try forEachKey(snapshots, node: node, keyFields: plan.keyFields, maxParallelism: maxParallelism, versions: DedupeStateCodec.versions,
                       value: { (r: inout SnapshotReader, _: UInt8) throws(StreamrunError) in try r.readVarInt() }) { group, key, seen in
            out.append(.object([("keyGroup", .int(Int64(group))), ("key", key), ("lastSeen", .int(seen))]))
        }
        return out
    }

    /// Decodes every key group of `snapshots` in ascending order and calls `body` with each key (as
    /// a JSON object of the named key fields) and its value, in key order.
    static func forEachKey<Value>(
        _ snapshots: [OperatorSnapshot], node: PlanNode, keyFields: [Int], maxParallelism: Int, versions: ClosedRange<UInt8>,
        value: (inout SnapshotReader, UInt8) throws(StreamrunError) -> Value,
        _ body: (Int, OrderedJSON, Value) -> Void
    ) throws(StreamrunError) {
        guard let input = node.inputSchema else {
            throw StreamrunError(.usage, "the job's operator \"\(node.id)\" has no input schema")
        }
        let names = keyFields.map { input[$0].name }
        let types = keyFields.map { input[$0].type }
        let groups = try OperatorSnapshot.keyGroups(snapshots, in: 0..<maxParallelism)
        var store = KeyedStateStore<BytesStateKey, Value>(maxParallelism: maxParallelism)
        for g in groups.keys.sorted() {
            try KeyedStateSnapshot.decode(groups[g]!, group: g, into: &store, keyTypes: types, versions: versions, value: value) { key, v in
                let fields = zip(names, KeyCodec.decode(key.bytes)).map { ($0, OrderedJSON($1)) }
                body(g, .object(fields), v)
            }
        }
    }
}

extension Aggregator {
    /// What the window would emit for `acc` now (as ``append(_:to:column:)`` writes it).
    func result(_ acc: Accumulator) -> Value {
        switch acc {
        case .count(let n): return .int(n)
        case .distinct(let s): return .int(Int64(s.count))
        case .sumInt(let s, let seen): return seen ? .int(s) : .null
        case .sumFloat(let s, let seen): return seen ? .float(s) : .null
        case .avg(let s, let n): return n > 0 ? .float(s / Double(n)) : .null
        case .extreme(let v), .positioned(let v, _, _):
            switch v {
            case nil: return .null
            case .int(let x)?: return outputType == .timestamp ? .timestamp(x) : .int(x)
            case .float(let x)?: return .float(x)
            case .bool(let x)?: return .bool(x)
            case .string(let x)?: return .string(String(decoding: x, as: UTF8.self))
            }
        }
    }
}
