import Foundation
import Logging

/// How streamrun's messages read on a terminal: one line per message on standard error, prefixed
/// `error: ` or `warning: ` by level, plain for information. Metadata (job, node, checkpoint) is
/// kept on the logger for handlers that write it (a JSON handler for a log shipper), not printed.
struct TextLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var output: LogOutput = .standardError

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix: String
        switch event.level {
        case .critical, .error: prefix = "error: "
        case .warning: prefix = "warning: "
        default: prefix = ""
        }
        output.write(prefix + event.message.description + "\n")
    }
}
