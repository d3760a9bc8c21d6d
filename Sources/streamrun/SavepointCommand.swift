import ArgumentParser
import StreamrunControl

struct SavepointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "savepoint",
        abstract: "Take a savepoint of a running job and print its directory once it is complete.",
        discussion: "The job keeps running. Without --dir the savepoint goes to <job dir>/savepoints/<job name>/sp-<id>."
    )

    @Argument(help: "Path to the job.json file of the running job.")
    var job: String

    @Option(help: "Directory to write the savepoint to.")
    var dir: String?

    func run() async throws {
        try await CLI.guarded {
            print(try await CLI.controlClient(job).savepoint(directory: dir.map(CLI.absolute)))
        }
    }
}
