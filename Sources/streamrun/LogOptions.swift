import Logging
import StreamrunControl

/// The logging flags every command takes, read before the command line is parsed so that even a
/// parse error is logged in the chosen format: `--log-format text|json`, `--log-file PATH`,
/// `--log-file-size SIZE` (bytes, or with KB/MB/GB; default 10MB) and `--log-file-count N`
/// (rotated files kept; default 5).
struct LogOptions {
    enum Format: String { case text, json }

    var format = Format.text
    var file: String?
    var fileBytes = 10 << 20
    var fileCount = 5

    /// The options, and the arguments without them; or a message for a bad value.
    static func extract(_ arguments: [String]) -> (LogOptions, [String], problem: String?) {
        var options = LogOptions()
        var rest: [String] = []
        var i = 0
        var problem: String?
        while i < arguments.count {
            let a = arguments[i]
            let names = ["--log-format", "--log-file", "--log-file-size", "--log-file-count"]
            guard let name = names.first(where: { a == $0 || a.hasPrefix($0 + "=") }) else {
                rest.append(a)
                i += 1
                continue
            }
            var value: String?
            if a.hasPrefix(name + "=") {
                value = String(a.dropFirst(name.count + 1))
            } else if i + 1 < arguments.count {
                value = arguments[i + 1]
                i += 1
            }
            i += 1
            guard let value else {
                problem = "\(name) needs a value"
                continue
            }
            switch name {
            case "--log-format":
                if let f = Format(rawValue: value) { options.format = f } else { problem = "--log-format: expected text or json, got \"\(value)\"" }
            case "--log-file":
                options.file = value
            case "--log-file-size":
                if let n = Self.bytes(value), n >= 1024 { options.fileBytes = n } else { problem = "--log-file-size: expected a size like 10MB (at least 1KB), got \"\(value)\"" }
            default:
                if let n = Int(value), n >= 1, n <= 1000 { options.fileCount = n } else { problem = "--log-file-count: expected 1 to 1000, got \"\(value)\"" }
            }
        }
        return (options, rest, problem)
    }

    static func bytes(_ text: String) -> Int? {
        let t = text.uppercased()
        for (suffix, unit) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)] where t.hasSuffix(suffix) {
            return Int(t.dropLast(suffix.count)).map { $0 * unit }
        }
        return Int(t)
    }

    /// Installs the handler for these options.
    func bootstrap() {
        let output = file.map { LogOutput(path: $0, maxBytes: fileBytes, keep: fileCount) } ?? .standardError
        switch format {
        // Beside the log itself, the last warnings and errors are kept for alerts' payloads.
        case .text: LoggingSystem.bootstrap { _ in MultiplexLogHandler([TextLogHandler(output: output), LogExcerpt.Handler()]) }
        case .json: LoggingSystem.bootstrap { _ in MultiplexLogHandler([JSONLogHandler(output: output), LogExcerpt.Handler()]) }
        }
    }
}
