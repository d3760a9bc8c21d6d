import ArgumentParser
import StreamrunPlan

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a job.json and report every problem at once (exit code 2 if any)."
    )

    @Argument(help: "Path to the job.json file.")
    var job: String

    func run() async throws {
        try await CLI.guarded {
            let plan = try CLI.loadJob(job)
            let s = plan.spec
            print("\(job): valid — \(s.sources.count) source\(s.sources.count == 1 ? "" : "s"), "
                + "\(s.operators.count) operator\(s.operators.count == 1 ? "" : "s"), \(s.sinks.count) sink\(s.sinks.count == 1 ? "" : "s")")
        }
    }
}
