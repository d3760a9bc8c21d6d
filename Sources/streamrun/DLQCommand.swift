import ArgumentParser
import StreamrunJob

struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect a dead-letter queue, or replay it through the (fixed) job.",
        discussion: "A dead-letter queue is the directory of a dead-letter sink: JSONL part files, one envelope per bad record. "
            + "Only committed part files are read (hidden in-progress files are not).",
        subcommands: [List.self, Replay.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "Summarise a dead-letter queue: counts per source and per (field, rule), with examples.",
            discussion: "Counts are sorted by count, then name; each (field, rule) shows its first "
                + "\(DeadLetterSummary.examplesPerError) dead letters in queue order (file name, then line)."
        )

        @Argument(help: "A dead-letter sink's directory (read recursively), or one of its part files.")
        var path: String

        @Flag(help: "Print the summary as one JSON object.")
        var json = false

        func run() async throws {
            try await CLI.guarded {
                let summary = try DeadLetterSummary.read(path)
                print(json ? summary.json.pretty : summary.text)
            }
        }
    }
}
