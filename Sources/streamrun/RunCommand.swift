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
        abstract: "Run a job: read its sources, process, and commit its sinks' output."
    )

    @Argument(help: "Path to the job.json file.")
    var job: String

    @Flag(name: .shortAndLong, help: "No status line and no summary.")
    var quiet = false

    func run() async throws {
        try await CLI.guarded {
            let plan = try CLI.loadJob(job)
            if plan.spec.checkpoints != nil {
                CLI.printError("warning: checkpoints: this version validates the checkpoint settings but does not take "
                    + "checkpoints yet; a failed run leaves no output and must be run again from the start")
            }
            let launcher = JobLauncher(plan: plan, logger: CLI.logger)
            Signals.onStop { launcher.requestStop() }
            let summary = try await launcher.run(statusLine: !quiet && isatty(STDERR_FILENO) != 0)
            if !quiet { CLI.printError(summary.description) }
        }
    }
}
