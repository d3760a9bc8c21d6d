import StreamrunCore

/// What `streamrun dlq replay` says when a replay ends, or when there is nothing to do. It names
/// checkpoints, never the time of day: the same replay prints the same report.
///
/// ```
/// replay 5b1f0c0e9d2a7c41 of out/dlq finished at checkpoint 4
///   replayed 12 records from sources asks (2), bids (10)
///   1 still bad → out/dlq.replay-1
///   2 not replayable (1 sent by an operator, 1 cut at maxRecordSize), left in out/dlq
/// ```
public enum ReplayReport: Sendable, CustomStringConvertible {
    /// The replay ran to the end of its input (or had nothing a source could read again).
    case finished(record: ReplayRecord, done: ReplayDone, directory: String)
    /// Every file of the queue was covered by these finished replays: nothing was run.
    case alreadyReplayed(dlq: String, [(ReplayRecord, ReplayDone)])
    /// The queue holds no dead letters.
    case empty(dlq: String)
    /// The replay run was stopped (a signal) at a checkpoint; running the command again continues it.
    case stopped(id: String, checkpoint: Int64)

    public var description: String {
        switch self {
        case .finished(let record, let done, let directory):
            var lines = ["replay \(record.id) of \(record.dlq) finished" + Self.when(done) + " (\(directory))"]
            let sources = record.sources.map { "\($0.source) (\($0.records))" }.joined(separator: ", ")
            lines.append("  replayed \(Self.plural(record.replayed, "record"))" + (sources.isEmpty ? "" : " from sources \(sources)"))
            lines.append("  \(done.stillBad) still bad → " + Self.paths(done.deadLetterPaths))
            if record.notReplayable > 0 {
                var why: [String] = []
                if record.fromOperators > 0 { why.append("\(record.fromOperators) sent by an operator") }
                if record.cut > 0 { why.append("\(record.cut) cut at maxRecordSize") }
                lines.append("  \(record.notReplayable) not replayable (\(why.joined(separator: ", "))), left in \(record.dlq)")
            }
            return lines.joined(separator: "\n")
        case .alreadyReplayed(let dlq, let replays):
            let each = replays.map { record, done in
                "replay \(record.id) finished\(Self.when(done)): replayed \(Self.plural(record.replayed, "record")), "
                    + "\(done.stillBad) still bad → \(Self.paths(done.deadLetterPaths))"
            }
            return "\(dlq) was already replayed; nothing to do\n" + each.map { "  " + $0 }.joined(separator: "\n")
        case .empty(let dlq):
            return "\(dlq) holds no dead letters; nothing to replay"
        case .stopped(let id, let checkpoint):
            return "replay \(id) stopped at checkpoint \(checkpoint); run the same `streamrun dlq replay` again to continue from there"
        }
    }

    /// ` at checkpoint 4`, or nothing for a job without checkpoints.
    static func when(_ done: ReplayDone) -> String { done.checkpoint.map { " at checkpoint \($0)" } ?? "" }

    static func paths(_ paths: [String]) -> String { paths.isEmpty ? "(the job has no dead-letter sink)" : paths.joined(separator: ", ") }

    static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

extension DeadLetterReplay {
    /// The report when there is no replay to run: the queue is empty, or finished replays covered it.
    public var nothingToRun: ReplayReport? {
        guard steps.isEmpty else { return nil }
        return finished.isEmpty ? .empty(dlq: dlq) : .alreadyReplayed(dlq: dlq, finished)
    }
}
