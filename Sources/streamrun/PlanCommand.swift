import ArgumentParser
import StreamrunPlan

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print how a job runs: stages, parallelism, chained operators and re-partitioning edges."
    )

    @Argument(help: "Path to the job.json file.")
    var job: String

    func run() async throws {
        try await CLI.guarded {
            let plan = try CLI.loadJob(job)
            print(PhysicalPlan(plan).describe(plan))
        }
    }
}
