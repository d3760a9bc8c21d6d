import ArgumentParser
import StreamrunCore
import StreamrunPlan

struct Streamrun: AsyncParsableCommand {
    /// The release this binary was built as.
    static let version = "0.12.0"

    static let configuration = CommandConfiguration(
        commandName: "streamrun",
        abstract: "Runs declarative stream-processing jobs with exactly-once file output.",
        discussion: "`streamrun job.json` is the same as `streamrun run job.json`.",
        version: version,
        subcommands: [RunCommand.self, ValidateCommand.self, PlanCommand.self, StatusCommand.self, SavepointCommand.self,
                      StopCommand.self, CheckpointsCommand.self, StateCommand.self, RestoreCommand.self, DLQCommand.self,
                      BenchCommand.self, VersionCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// The names of the subcommands, as typed.
    static var verbs: [String] { configuration.subcommands.map { $0.configuration.commandName ?? "" } }

    /// Whether `arguments` (without the program name) run a job: an explicit `run`, `dlq replay`, or
    /// a job path where a verb would stand (the default subcommand).
    static func runsAJob(_ arguments: [String]) -> Bool {
        let words = arguments.filter { !$0.hasPrefix("-") }
        guard let first = words.first else { return false }
        return first == "run" || (first == DLQCommand.configuration.commandName && words.dropFirst().first == "replay")
            || !verbs.contains(first)
    }

    /// A mistyped verb (`streamrun stauts job.json`) would otherwise be taken for a job path: the
    /// error names the verb meant. Nil when `word` looks like a path or is no near miss.
    static func mistypedVerb(_ word: String) -> StreamrunError? {
        guard !word.contains("/"), !word.contains("."), let verb = Suggestions.closest(to: word, among: verbs), verb != word else {
            return nil
        }
        return StreamrunError(.usage, "unknown command \"\(word)\" (did you mean \"\(verb)\"?); run `streamrun --help` for the commands")
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print streamrun's version.")

    func run() { print("streamrun \(Streamrun.version)") }
}
