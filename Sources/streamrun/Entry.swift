import Logging

@main
enum Entry {
    static func main() async {
        // Before anything else can start a thread: every thread inherits the blocked signal mask.
        Signals.blockEarly()
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .info
            return h
        }
        await Streamrun.main()
    }
}
