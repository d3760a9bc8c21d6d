import ArgumentParser
import StreamrunJob
import StreamrunCore

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Report what restoring a savepoint or checkpoint into a job would restore, drop or start fresh.",
        discussion: "Only --check exists: it reads and verifies the state files and matches them to the job's operators by id, without running anything. To restore, run the job with --from-savepoint DIR."
    )

    @Flag(help: "Check only (required): print the restore plan and exit.")
    var check = false

    @Flag(help: "Accept dropping the state of operators the job no longer has.")
    var allowNonRestoredState = false

    @Argument(help: "Path to the job.json file.")
    var job: String

    @Argument(help: "A savepoint or checkpoint directory (sp-NNNNNN, chk-NNNNNN), or a checkpoints directory (its newest valid checkpoint).")
    var directory: String

    func run() async throws {
        try await CLI.guarded {
            guard check else { throw StreamrunError(.usage, "restore: only --check is supported; to restore, run: streamrun \(job) --from-savepoint \(directory)") }
            let plan = try CLI.loadJob(job)
            let report = try RestoreReport.check(plan: plan, directory: directory, allowNonRestoredState: allowNonRestoredState)
            print(report.description)
        }
    }
}
