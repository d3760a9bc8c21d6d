import StreamrunCore
import StreamrunRuntime

/// What a finished run did: records per source and sink, elapsed time, throughput.
public struct RunSummary: Sendable, CustomStringConvertible {
    public struct Count: Sendable {
        public var id: NodeID
        public var kind: String
        public var records: Int
        /// A source's bad records (`onError`): dead-lettered, skipped, and both by rule.
        public var deadLettered = 0
        public var skipped = 0
        public var rules: [(rule: String, count: Int)] = []

        public init(id: NodeID, kind: String, records: Int) {
            self.id = id
            self.kind = kind
            self.records = records
        }

        /// `4 records` or, with bad records, `9 records read: 4 emitted, 5 dead-lettered (syntax 3, type 2)`.
        var text: String {
            let bad = deadLettered + skipped
            guard bad > 0 else { return RunSummary.records(records) }
            return RunSummary.records(records + bad) + " read: \(records) emitted, " + badText
        }

        /// `5 dead-lettered, 2 skipped (syntax 4, type 3)`.
        var badText: String { RunSummary.badRecordsText(deadLettered: deadLettered, skipped: skipped, rules: rules) }
    }

    /// Bad records as the summary and `streamrun status` show them: `5 dead-lettered, 2 skipped (syntax 4, type 3)`.
    public static func badRecordsText(deadLettered: Int, skipped: Int, rules: [(rule: String, count: Int)]) -> String {
        var parts: [String] = []
        if deadLettered > 0 { parts.append("\(deadLettered) dead-lettered") }
        if skipped > 0 { parts.append("\(skipped) skipped") }
        return parts.joined(separator: ", ") + " (" + rules.map { "\($0.rule) \($0.count)" }.joined(separator: ", ") + ")"
    }

    public var job: String
    public var sources: [Count]
    public var sinks: [Count]
    /// Records a window found late, or a dedupe dropped as duplicates, per operator (only non-zero).
    public var late: [Count] = []
    /// Operators that dead-lettered or skipped records (`onError`), with their counts.
    public var badRecords: [Count] = []
    public var duplicates: [Count] = []
    public var elapsedSeconds: Double
    public var filesCommitted: Int
    /// Checkpoints completed by this run (including the final one), for reports.
    public var checkpoints: [CheckpointHistory.Entry] = []
    /// Set when the job stopped at a checkpoint (a signal or `stop`) instead of finishing its input.
    public var stoppedAtCheckpoint: CheckpointID?
    /// The savepoint written when it stopped, if one was asked for.
    public var savepoint: String?

    public var recordsIn: Int { sources.reduce(0) { $0 + $1.records } }

    public var description: String {
        var lines = ["job \"\(job)\" finished in \(Self.seconds(elapsedSeconds))"]
        if let id = stoppedAtCheckpoint {
            lines = ["job \"\(job)\" stopped at checkpoint \(id) after \(Self.seconds(elapsedSeconds)); run it again to continue from there"]
            if let savepoint { lines.append("  savepoint: \(savepoint)") }
        }
        for s in sources { lines.append("  source \(s.id) (\(s.kind)): \(s.text)") }
        for s in sinks { lines.append("  sink \(s.id) (\(s.kind)): \(Self.records(s.records))") }
        for l in late { lines.append("  operator \(l.id) (\(l.kind)): \(Self.records(l.records, "late record"))") }
        for b in badRecords {
            lines.append("  operator \(b.id) (\(b.kind)): \(Self.records(b.deadLettered + b.skipped, "bad record")): " + b.badText)
        }
        for d in duplicates { lines.append("  operator \(d.id) (\(d.kind)): \(Self.records(d.records, "duplicate")) dropped") }
        let rate = elapsedSeconds > 0 ? Double(recordsIn) / elapsedSeconds : 0
        lines.append("  \(filesCommitted) file\(filesCommitted == 1 ? "" : "s") committed, \(Self.rate(rate)) events/s")
        return lines.joined(separator: "\n")
    }

    static func records(_ n: Int, _ noun: String = "record") -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func seconds(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000) s"
    }

    /// "1.23M", "456.7K", "89".
    static func rate(_ r: Double) -> String {
        if r >= 1_000_000 { return String(Int((r / 10_000).rounded()) / 100) + "." + pad2(Int((r / 10_000).rounded()) % 100) + "M" }
        if r >= 1000 { return String(Int((r / 100).rounded()) / 10) + "." + String(Int((r / 100).rounded()) % 10) + "K" }
        return String(Int(r.rounded()))
    }

    static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
}
