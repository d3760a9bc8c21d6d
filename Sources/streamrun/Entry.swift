#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import StreamrunControl

@main
enum Entry {
    static func main() async {
        // A reader that goes away (`| head`) is seen as EPIPE on write, not a signal that kills.
        signal(SIGPIPE, SIG_IGN)
        let (logOptions, arguments, problem) = LogOptions.extract(Array(CommandLine.arguments.dropFirst()))
        logOptions.bootstrap()
        if let problem {
            CLI.logger.error("\(problem)")
            exit(2)
        }
        if let word = arguments.first, !word.hasPrefix("-"), access(word, F_OK) != 0, let mistyped = Streamrun.mistypedVerb(word) {
            CLI.logger.error("\(mistyped.message)")
            exit(mistyped.exitCode)
        }
        // A job catches SIGINT and SIGTERM from the first moment: a signal that comes while the job
        // is still loading is kept and stops it as soon as it runs.
        if Streamrun.runsAJob(arguments) { SignalListener.install() }
        await Streamrun.main(arguments)
    }
}
