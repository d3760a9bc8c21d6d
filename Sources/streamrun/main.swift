import Logging

Signals.blockEarly()
LoggingSystem.bootstrap { label in
    var h = StreamLogHandler.standardError(label: label)
    h.logLevel = .info
    return h
}
await Streamrun.main()
