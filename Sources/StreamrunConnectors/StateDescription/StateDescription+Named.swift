import StreamrunCheckpoint
import StreamrunCore

// Named (non-keyed) state: one line per subtask.
extension StateDescription {
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

    static func splitStates(_ s: OperatorSnapshot) throws(StreamrunError) -> [SplitState] {
        guard let bytes = s.named[SplitState.section] else { return [] }
        return try SplitState.decode(bytes).sorted { $0.index < $1.index }
    }

    /// The highest event time a split has seen, or `null` before its first record.
    static func eventTime(_ t: EventTime) -> OrderedJSON { t == .min ? .null : .int(t.milliseconds) }
}
