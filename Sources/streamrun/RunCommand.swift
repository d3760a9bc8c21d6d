import ArgumentParser
import Foundation
import StreamrunJob
import StreamrunControl
import StreamrunCore
import StreamrunPlan

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job: read its sources, process, and commit its sinks' output.",
        discussion: """
            With a checkpoints directory in job.json, the job resumes from the newest valid checkpoint there. \
            While it runs, the job serves its control endpoint (status, savepoints, stop, metrics) on \
            127.0.0.1 and a free port, written to control.json in its state directory.
            """
    )

    @Argument(help: "Path to the job.json file.")
    var job: String

    @Flag(name: .shortAndLong, help: "No status line and no summary.")
    var quiet = false

    @Flag(help: "Ignore existing checkpoints and start from the beginning (refused while a sink directory holds committed output).")
    var fresh = false

    @Flag(help: "When the run restores no checkpoint, replace the part files an earlier run left in each sink's directory (and no others) at the first commit, instead of refusing to start.")
    var overwrite = false

    @Option(name: .customLong("from-savepoint"), help: "Restore from this savepoint (or checkpoint) directory, at any parallelism.")
    var fromSavepoint: String?

    @Flag(help: "Drop the state of operators the job no longer has, instead of refusing to start.")
    var allowNonRestoredState = false

    @Flag(help: "Run the faults job.json injects (\"faults\": for tests and drills of restarts and alerts).")
    var allowFaults = false

    @Option(help: "How long a stop (signal, `streamrun stop`) may take before the job is cancelled instead (default 30s).")
    var stopTimeout: String?

    @Option(help: "Address of the control endpoint (default: job.json's control.host, else 127.0.0.1).")
    var controlHost: String?

    @Option(help: "Port of the control endpoint; 0 picks a free one (default: job.json's control.port, else 0).")
    var controlPort: Int?

    func validate() throws {
        if let p = controlPort, !(0...65535).contains(p) { throw ValidationError("--control-port must be from 0 to 65535, got \(p)") }
    }

    func run() async throws {
        try await CLI.guarded {
            if !FileManager.default.fileExists(atPath: job), let mistyped = Streamrun.mistypedVerb(job) { throw mistyped }
            let plan = try CLI.loadJob(job)
            if fresh && fromSavepoint != nil { throw StreamrunError(.usage, "--fresh and --from-savepoint cannot be used together") }
            var options = JobLauncher.Options(fresh: fresh, jobDirectory: CLI.absolute(JobPlan.directory(of: job)))
            options.fromSavepoint = fromSavepoint
            options.allowNonRestoredState = allowNonRestoredState
            options.overwrite = overwrite
            options.allowFaults = allowFaults
            if let text = stopTimeout {
                guard let ms = Durations.parse(text), ms > 0 else {
                    throw StreamrunError(.usage, "--stop-timeout: expected a duration like \"30s\", got \"\(text)\"")
                }
                options.stopTimeoutMs = ms
            }
            let launcher = JobLauncher(plan: plan, options: options, logger: CLI.logger)
            // Alerts go out off the data path; before exiting, what is queued is delivered.
            let alerts = plan.spec.alerts.isEmpty ? nil : AlertDispatcher(alerts: plan.spec.alerts, logger: CLI.logger) {
                LogExcerpt.shared.last
            }
            alerts?.attach(to: launcher.events)
            let summary: RunSummary
            do {
                summary = try await CLI.host(launcher, quiet: quiet, controlHost: controlHost, controlPort: controlPort)
            } catch {
                await alerts?.finish()
                throw error
            }
            await alerts?.finish()
            if !quiet { CLI.logger.info("\(summary.description)") }
        }
    }
}
