import StreamrunCheckpoint
import StreamrunCore

// Named (non-keyed) state: one line per subtask.
extension StateDescription {
    /// `{"subtask":0,"cursor":1,"splits":[{"split":0,"path":…,"start":0,"end":…,"offset":…,"finished":false,"maxEventTime":…}]}`;
    /// `end` is `null` for a split that runs to the end of its file. A subtask that reads its fallback
    /// (or had not listed its files yet) has `"side":"fallback"` (and `"listed":false`) after `cursor`.
    static func fileSourceLines(_ snapshots: [OperatorSnapshot]) throws(StreamrunError) -> [OrderedJSON] {
        var out: [OrderedJSON] = []
        for s in snapshots {
            let cursor = try SplitState.decodeCursor(s.named[SplitState.cursorSection])
            let splits = try splitStates(s).map { split -> OrderedJSON in
                .object([("split", .int(Int64(split.index))), ("path", .string(split.path)), ("start", .int(split.start)),
                         ("end", split.end == .max ? .null : .int(split.end)), ("offset", .int(split.position)), ("finished", .bool(split.finished)),
                         ("maxEventTime", eventTime(split.maxEventTime))])
            }
            var members: [(String, OrderedJSON)] = [("subtask", .int(Int64(s.subtask))), ("cursor", cursor.map { .int(Int64($0)) } ?? .null)]
            if let bytes = s.named[SourceSideState.section] {
                let side = try SourceSideState.decode(bytes)
                members.append(("side", .string(side.side == .fallback ? "fallback" : "primary")))
                if !side.listed { members.append(("listed", .bool(false))) }
            }
            out.append(.object(members + [("splits", .array(splits))]))
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
