import ArgumentParser
import StreamrunJob

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Inspect the operator state stored in a checkpoint or savepoint.",
        subcommands: [Dump.self]
    )

    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dump",
            abstract: "Print one operator's state as JSON lines, in key group and key order.",
            discussion: "Windows: one line per key and window, with its aggregates. Dedupe: one line per key with the time last "
                + "seen. Sources: one line per subtask with its splits' offsets and event time. File sinks: one line per "
                + "subtask with its pending files and sequence numbers. Keyed state is decoded with the job the checkpoint "
                + "embeds, or with --job."
        )

        @Argument(help: "A checkpoint directory (state/chk-000017) or a savepoint directory.")
        var directory: String

        @Option(name: .customLong("operator"), help: "The operator id, as in job.json.")
        var operatorID: String

        @Option(help: "Decode with this job.json instead of the one embedded in the checkpoint.")
        var job: String?

        func run() async throws {
            try await CLI.guarded {
                let plan = try job.map { try CLI.loadJob($0) }
                for line in try StateDump.lines(directory: directory, operator: operatorID, job: plan) { print(line) }
            }
        }
    }
}
