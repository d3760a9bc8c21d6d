import StreamrunCheckpoint
import StreamrunCore

// Named (non-keyed) state: one line per subtask.
extension StateDump {
    /// `{"subtask":0,"cursor":1,"splits":[{"split":0,"path":…,"start":0,"end":…,"offset":…,"finished":false,"maxEventTime":…}]}`;
    /// `end` is `null` for a split that runs to the end of its file.
    static func fileSourceLines(_ snapshots: [OperatorSnapshot]) throws(StreamrunError) -> [OrderedJSON] {
        var out: [OrderedJSON] = []
        for s in snapshots {
            let cursor = try SplitState.decodeCursor(s.named[SplitState.cursorSection])
            let splits = try splitStates(s).map { split -> OrderedJSON in
                .object([("split", .int(Int64(split.index))), ("path", .string(split.path)), ("start", .int(split.start)),
                         ("end", split.end == .max ? .null : .int(split.end)), ("offset", .int(split.position)), ("finished", .bool(split.finished)),
                         ("maxEventTime", eventTime(split.maxEventTime))])
            }
            out.append(.object([("subtask", .int(Int64(s.subtask))), ("cursor", cursor.map { .int(Int64($0)) } ?? .null),
                                ("splits", .array(splits))]))
        }
        return out
    }

    /// `{"subtask":0,"splits":[{"split":0,"position":4096,"finished":false,"maxEventTime":…}]}`; the
    /// position counts the split's bids emitted so far.
    static func generatorLines(_ snapshots: [OperatorSnapshot]) throws(StreamrunError) -> [OrderedJSON] {
        var out: [OrderedJSON] = []
        for s in snapshots {
            let splits = try splitStates(s).map { split -> OrderedJSON in
                .object([("split", .int(Int64(split.index))), ("position", .int(split.position)),
                         ("finished", .bool(split.finished)), ("maxEventTime", eventTime(split.maxEventTime))])
            }
            out.append(.object([("subtask", .int(Int64(s.subtask))), ("splits", .array(splits))]))
        }
        return out
    }

    /// `{"subtask":0,"pending":[{"final":…,"inProgress":…,"directory":…}],"sequences":{"dt=2024-01-01":3}}`
    static func fileSinkLines(_ snapshots: [OperatorSnapshot]) throws(StreamrunError) -> [OrderedJSON] {
        var out: [OrderedJSON] = []
        for s in snapshots {
            let state = try SinkState(payload: s.named, subtask: s.subtask)
            let pending = state.pending.map { p -> OrderedJSON in
                .object([("final", .string(p.final)), ("inProgress", .string(p.inProgress)), ("directory", .string(p.directory))])
            }
            // Next sequence number per subtask index (every index the sink has run with) and partition.
            let sequences = state.sequences.sorted { $0.key < $1.key }.map { index, byPartition in
                (String(index), OrderedJSON.object(byPartition.sorted { $0.key < $1.key }.map { ($0.key, OrderedJSON.int(Int64($0.value))) }))
            }
            out.append(.object([("subtask", .int(Int64(s.subtask))), ("pending", .array(pending)), ("sequences", .object(sequences))]))
        }
        return out
    }

    static func splitStates(_ s: OperatorSnapshot) throws(StreamrunError) -> [SplitState] {
        guard let bytes = s.named[SplitState.section] else { return [] }
        return try SplitState.decode(bytes).sorted { $0.index < $1.index }
    }

    /// The highest event time a split has seen, or `null` before its first record.
    static func eventTime(_ ms: Int64) -> OrderedJSON { ms == .min ? .null : .int(ms) }
}
