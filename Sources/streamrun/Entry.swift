import Logging

@main
enum Entry {
    static func main() async {
        Signals.install()
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .info
            return h
        }
        await Streamrun.main()
    }
}
