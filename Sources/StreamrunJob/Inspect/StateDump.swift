import StreamrunCheckpoint
import StreamrunConnectors
import StreamrunCore
import StreamrunPlan

/// `streamrun state dump`: one operator's state in a checkpoint or savepoint, as JSON lines.
///
/// - window: one line per key and window, `{"keyGroup":12,"key":{"auction":1007},"window":{"start":…,"end":…},"fired":false,"aggregates":{"count":3,"top":120}}`
/// - dedupe: one line per key, `{"keyGroup":3,"key":{"auction":1007},"lastSeen":1704067212000}`
/// - file or generator source: one line per subtask with its splits (offsets, event time seen)
/// - file sink: one line per subtask with its pending files and next sequence numbers
///
/// Keyed lines come in key group order, then key order (``KeyCodec``), then window start; the
/// others in subtask order. Key fields are named and typed as in the job; timestamps are epoch
/// milliseconds, as the JSONL sink writes them. Decoding keyed state needs the job: the one the
/// manifest embeds (`jobText`), or one passed in. Stateless operators print nothing.
///
/// - Important: Every problem is one ``StreamrunError``: not a checkpoint directory, an unknown
///   operator id (the message lists the ids present), a state file that fails its checksum or does
///   not decode, or a job that does not match the checkpoint.
public enum StateDump {
    /// The lines for operator `operatorID` of the checkpoint in `directory`, decoding keyed state
    /// with `job` if given, else with the job embedded in the manifest.
    public static func lines(directory: String, operator operatorID: String, job: JobPlan? = nil) throws(StreamrunError) -> [String] {
        let dir = CheckpointDirectory(path: directory)
        let manifest = try dir.readManifest()
        guard let op = manifest.operators.first(where: { $0.id == operatorID }) else {
            let ids = manifest.operators.map(\.id).joined(separator: ", ")
            throw StreamrunError(.usage, "no operator \"\(operatorID)\" in this checkpoint; its operators are: \(ids)", location: dir.path)
        }
        let snapshots = try dir.readStateFiles(manifest, operator: operatorID)
        var node: PlanNode?
        if op.type == "window" || op.type == "dedupe" {
            let plan: JobPlan
            if let job { plan = job } else { plan = try embeddedJob(manifest, in: dir.path) }
            guard let n = plan.node(NodeID(operatorID)), n.typeName == op.type else {
                throw StreamrunError(.usage, "the job has no \(op.type) operator \"\(operatorID)\"; pass --job with the job that took the checkpoint",
                                     location: dir.path)
            }
            node = n
        }
        do throws(StreamrunError) {
            return try StateDescription.lines(type: op.type, node: node, snapshots: snapshots, maxParallelism: op.maxParallelism)
        } catch {
            throw StreamrunError(error.code, "operator \"\(operatorID)\": \(error.message)", retry: error.retry,
                                 location: error.location.map { dir.path + " (\($0))" } ?? dir.path)
        }
    }

    /// The job embedded in the manifest, validated.
    static func embeddedJob(_ manifest: CheckpointManifest, in directory: String) throws(StreamrunError) -> JobPlan {
        guard let text = manifest.jobText else {
            throw StreamrunError(.usage, "the manifest does not embed its job (an older streamrun wrote it); pass --job job.json",
                                 location: directory)
        }
        do throws(StreamrunError) {
            return try JobLoader.parse(data: Array(text.utf8), file: "jobText")
        } catch {
            let first = error.message.split(separator: "\n").dropFirst().first.map { String($0.drop { $0 == " " }) } ?? error.message
            throw StreamrunError(.usage, "the job embedded in the manifest is not valid for this streamrun (\(first)); pass --job job.json",
                                 location: directory)
        }
    }
}
