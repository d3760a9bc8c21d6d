import ArgumentParser
import Foundation
import StreamrunCore
import StreamrunJob
import StreamrunPlan

extension DLQCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Feed the records of a dead-letter queue back through the (fixed) job's sources, exactly once.",
            discussion: """
                Each source with dead letters reads them from a file in the job's state directory (replay-<id>/input); \
                the job's other sources read nothing. The replay runs with its own checkpoints: killed, it resumes when run \
                again. File sinks tag its part files (part-<sink>-replay-<id>-…), and records still bad go to the next \
                generation of the dead-letter sink's directory (out/dlq → out/dlq.replay-1). Replaying the same queue \
                again adds nothing. Dead letters an operator sent, or cut at maxRecordSize, are counted but not replayed.
                """
        )

        @Argument(help: "Path to the job.json file (fixed, so that the records pass this time).")
        var job: String

        @Argument(help: "A dead-letter sink's directory (read recursively), or one of its part files.")
        var path: String

        @Flag(name: .shortAndLong, help: "No status line, and no messages while the replay runs.")
        var quiet = false

        func run() async throws {
            try await CLI.guarded {
                let plan = try CLI.loadJob(job)
                let replay = try DeadLetterReplay(plan: plan, jobDirectory: CLI.absolute(JobPlan.directory(of: job)), dlq: path)
                if let report = replay.nothingToRun {
                    print(report.description)
                    return
                }
                for step in replay.steps {
                    let run = try replay.start(step, logger: CLI.logger)
                    defer { run.release() }
                    if let report = run.report {
                        print(report.description)
                        continue
                    }
                    if !quiet { CLI.logger.info("\(step.isResume ? "resuming " : "")\(run.announcement)") }
                    // The control endpoint takes any free port: the job's own run may hold job.json's.
                    let summary = try await CLI.host(run.launcher!, quiet: quiet, controlPort: 0)
                    let report = try run.finish(summary)
                    print(report.description)
                    if case .stopped = report { return }
                }
            }
        }
    }
}
