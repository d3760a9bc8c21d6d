import Logging
import Synchronization

/// The last warnings and errors of the process, for the `log` of an alert's payload: what a person
/// reads first when paged. Filled by ``LogExcerpt/Handler`` beside the process's own log handler.
public final class LogExcerpt: Sendable {
    public static let shared = LogExcerpt(keep: 10)

    private let lines = Mutex<[String]>([])
    let keep: Int

    public init(keep: Int) { self.keep = keep }

    public func append(_ line: String) {
        lines.withLock { l in
            l.append(line)
            if l.count > keep { l.removeFirst(l.count - keep) }
        }
    }

    /// Oldest first.
    public var last: [String] { lines.withLock { $0 } }

    /// Records warnings and errors (each cut to 300 characters) into an excerpt.
    public struct Handler: LogHandler {
        public var logLevel: Logger.Level = .warning
        public var metadata: Logger.Metadata = [:]
        let excerpt: LogExcerpt

        public init(_ excerpt: LogExcerpt = .shared) { self.excerpt = excerpt }

        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        public func log(event: LogEvent) {
            guard event.level >= .warning else { return }
            let text = "\(event.level): \(event.message)"
            excerpt.append(text.count > 300 ? String(text.prefix(297)) + "..." : text)
        }
    }
}
