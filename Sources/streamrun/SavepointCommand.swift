import ArgumentParser
import StreamrunJob
import StreamrunControl
import StreamrunPlan

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

    @Flag(help: "Make the savepoint from the newest valid checkpoint of a job that is not running.")
    var fromCheckpoint = false

    func run() async throws {
        try await CLI.guarded {
            if fromCheckpoint {
                let plan = try CLI.loadJob(job)
                let root = dir.map(CLI.absolute) ?? JobPlan.directory(of: job) + "/savepoints/" + plan.spec.name
                print(try SavepointCopy.fromNewestCheckpoint(plan: plan, root: root))
                return
            }
            print(try await CLI.controlClient(job).savepoint(directory: dir.map(CLI.absolute)))
        }
    }
}
