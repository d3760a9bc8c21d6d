import ArgumentParser

struct Streamrun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamrun",
        abstract: "Runs declarative stream-processing jobs with exactly-once file output.",
        discussion: "`streamrun job.json` is the same as `streamrun run job.json`.",
        subcommands: [RunCommand.self, ValidateCommand.self, PlanCommand.self, StatusCommand.self, SavepointCommand.self,
                      StopCommand.self, CheckpointsCommand.self, StateCommand.self, RestoreCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
