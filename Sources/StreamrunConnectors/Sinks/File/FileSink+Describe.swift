import StreamrunCheckpoint
import StreamrunCore

extension FileSink {
    /// The state dump of a file sink, one line per subtask:
    /// `{"subtask":0,"pending":[{"final":…,"inProgress":…,"directory":…}],"sequences":{"dt=2024-01-01":3}}`
    static func describeState(_ snapshots: [OperatorSnapshot]) throws(StreamrunError) -> [OrderedJSON] {
        var out: [OrderedJSON] = []
        for s in snapshots {
            let state = try FileSinkState(payload: s.named, subtask: s.subtask)
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
}
