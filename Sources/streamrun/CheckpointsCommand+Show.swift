import ArgumentParser
import StreamrunJob

extension CheckpointsCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print one checkpoint's or savepoint's manifest and the size of each operator's state.",
            discussion: "Reads the manifest and every state file (checking their checksums). Per operator: type, parallelism, "
                + "state files, bytes on disk and decompressed, keys and the key groups that hold state."
        )

        @Argument(help: "A checkpoint directory (state/chk-000017) or a savepoint directory (savepoints/q5/sp-000003).")
        var directory: String

        @Flag(help: "Print the manifest and the computed sizes as JSON.")
        var json = false

        func run() async throws {
            try await CLI.guarded {
                let summary = try CheckpointSummary.read(directory: directory)
                print(json ? summary.json.pretty : summary.text)
            }
        }
    }
}
