#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import StreamrunConnectors
import StreamrunCore
import StreamrunPlan

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job: read its sources, process, and commit its sinks' output.",
        discussion: "With a checkpoints directory in job.json, the job resumes from the newest valid checkpoint there."
    )

    @Argument(help: "Path to the job.json file.")
    var job: String

    @Flag(name: .shortAndLong, help: "No status line and no summary.")
    var quiet = false

    @Flag(help: "Ignore existing checkpoints and start from the beginning (refused while a sink directory holds committed output).")
    var fresh = false

    @Option(name: .customLong("from-savepoint"), help: "Restore from this savepoint (or checkpoint) directory, at any parallelism.")
    var fromSavepoint: String?

    @Flag(help: "Drop the state of operators the job no longer has, instead of refusing to start.")
    var allowNonRestoredState = false

    func run() async throws {
        try await CLI.guarded {
            let plan = try CLI.loadJob(job)
            if fresh && fromSavepoint != nil { throw StreamrunError(.usage, "--fresh and --from-savepoint cannot be used together") }
            var options = JobLauncher.Options(fresh: fresh, jobDirectory: JobPlan.directory(of: job), notice: { CLI.printError($0) })
            options.fromSavepoint = fromSavepoint
            options.allowNonRestoredState = allowNonRestoredState
            let launcher = JobLauncher(plan: plan, options: options, logger: CLI.logger)
            Signals.onStop { launcher.requestStop() }
            let summary = try await launcher.run(statusLine: !quiet && isatty(STDERR_FILENO) != 0)
            if !quiet { CLI.printError(summary.description) }
        }
    }
}
