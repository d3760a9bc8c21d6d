import StreamrunConnectors
import StreamrunCore

/// What a dead-letter queue holds, for `streamrun dlq ls`: the number of dead letters, per source and
/// per (field, rule) within a source, each sorted by count (descending) then name, with the first
/// few examples of each (field, rule) in queue order (file name, then line).
///
/// A dead letter is *replayable* when its source refused it (`operator` is null) and its record is
/// whole (no `rawLength`): only those can be fed back through the source by `streamrun dlq replay`.
public struct DeadLetterSummary: Sendable {
    /// One dead letter shown as an example, and where it is in the queue (`<dlq file>:<line>`).
    public struct Example: Sendable {
        public var at: String
        public var letter: DeadLetter
    }

    /// The dead letters of one source that broke one rule on one field (`field` is nil when the rule
    /// is about the whole record, such as `syntax`).
    public struct ErrorCount: Sendable {
        public var field: String?
        public var rule: String
        public var count: Int
        public var examples: [Example]

        /// `type of price`, or `syntax`.
        public var name: String { field.map { "\(rule) of \($0)" } ?? rule }
    }

    public struct SourceCount: Sendable {
        public var source: String
        public var count: Int
        public var errors: [ErrorCount]
    }

    /// The path summarised, as given.
    public var path: String
    /// Committed part files read.
    public var files: Int
    public var total: Int
    /// Dead letters an operator sent, or whose record was cut at `maxRecordSize`.
    public var notReplayable: Int
    public var sources: [SourceCount]

    /// How many examples each (source, field, rule) shows.
    public static let examplesPerError = 3

    /// Whether `dlq replay` can feed `letter` back through its source.
    public static func isReplayable(_ letter: DeadLetter) -> Bool { letter.operatorID == nil && letter.rawLength == nil }

    /// Reads every committed part file `path` names (a DLQ directory, or one file).
    ///
    /// - Important: Throws for a path that does not exist (`input-not-found`) and for the first line
    ///   that is not a dead-letter envelope (`malformed-record`, at `<file>:<line>`).
    public static func read(_ path: String) throws(StreamrunError) -> DeadLetterSummary {
        struct Key: Hashable {
            var field: String?
            var rule: String
        }
        var bySource: [String: [Key: ErrorCount]] = [:]
        var total = 0, notReplayable = 0
        let files = try DeadLetterFile.list(path)
        for name in files {
            let file = try DeadLetterFile.read(name)
            try file.forEach { line, letter throws(StreamrunError) in
                total += 1
                if !isReplayable(letter) { notReplayable += 1 }
                let key = Key(field: letter.field, rule: letter.rule.name)
                var count = bySource[letter.source, default: [:]][key] ?? ErrorCount(field: key.field, rule: key.rule, count: 0, examples: [])
                count.count += 1
                if count.examples.count < examplesPerError { count.examples.append(Example(at: "\(name):\(line)", letter: letter)) }
                bySource[letter.source, default: [:]][key] = count
            }
        }
        let sources = bySource.map { source, errors in
            SourceCount(source: source, count: errors.values.reduce(0) { $0 + $1.count },
                        errors: errors.values.sorted { a, b in
                            a.count != b.count ? a.count > b.count : (a.field ?? "", a.rule) < (b.field ?? "", b.rule)
                        })
        }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.source < $1.source }
        return DeadLetterSummary(path: path, files: files.count, total: total, notReplayable: notReplayable, sources: sources)
    }
}
