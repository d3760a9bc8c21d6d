import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// The readable parts of a manifest, taken from a completed checkpoint's payloads: per source its
/// splits' offsets, and per operator its watermark (the minimum over subtasks). Informational only:
/// restore reads the state files. Undecodable payloads are left out rather than failing a checkpoint.
public enum ManifestSummaries {
    /// Watermarks at the start (nothing seen) and at the end of input are left out.
    public static func make(_ states: [SubtaskID: SnapshotPayload], plan: JobPlan) -> (sources: [String: ManifestValue], watermarks: [String: Watermark]) {
        var splits: [String: [SplitState]] = [:]
        var watermarks: [String: Watermark] = [:]
        for (task, payload) in states {
            if let bytes = payload.named[SplitState.section], let s = try? SplitState.decode(bytes) {
                splits[task.node.name, default: []] += s
                // A source's watermark: the lowest event time reached by any of its unfinished splits.
                let open = s.filter { !$0.finished }.map(\.maxEventTime)
                if let low = open.min(), low != .min { watermarks[task.node.name] = min(watermarks[task.node.name] ?? .max, low) }
            }
            if let bytes = payload.named[WindowStateCodec.watermarkSection],
               let w = (try? Int64StateSection.decode(bytes, name: WindowStateCodec.watermarkSection)).map(Watermark.init(milliseconds:)),
               w != .min && w != .max {
                watermarks[task.node.name] = min(watermarks[task.node.name] ?? .max, w)
            }
        }
        var sources: [String: ManifestValue] = [:]
        for (id, list) in splits {
            sources[id] = .object(["splits": .array(list.sorted { $0.index < $1.index }.map { s in
                .object(["path": .string(s.path), "start": .int(s.start), "end": .int(s.end), "position": .int(s.position),
                         "finished": .bool(s.finished)])
            })])
        }
        return (sources, watermarks)
    }
}
