import ArgumentParser
import StreamrunControl

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a running job after a final checkpoint (and a savepoint with --savepoint); print the savepoint's directory.",
        discussion: "Returns once the job's last checkpoint is committed; the job then exits normally. "
            + "A job without checkpoints stops reading, drains and commits its output first."
    )

    @Argument(help: "Path to the job.json file of the running job.")
    var job: String

    @Flag(help: "Take a savepoint as the job stops.")
    var savepoint = false

    @Option(help: "Directory to write the savepoint to (with --savepoint).")
    var dir: String?

    func validate() throws {
        if dir != nil && !savepoint { throw ValidationError("--dir needs --savepoint") }
    }

    func run() async throws {
        try await CLI.guarded {
            if let path = try await CLI.controlClient(job).stop(savepoint: savepoint, directory: dir.map(CLI.absolute)) { print(path) }
        }
    }
}
