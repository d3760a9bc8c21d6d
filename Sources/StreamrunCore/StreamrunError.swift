/// The one public error type: a code, a human message, where it happened, and how recovery treats it.
///
/// The message is meant to be printed as is, with no stack trace: it names the JSON path in job.json,
/// or the file and line of an input record, and what was expected.
public struct StreamrunError: Error, Sendable, CustomStringConvertible {
    /// An extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// job.json is not valid (every problem is listed).
        public static let invalidJob = Code("invalid-job")
        /// A command-line usage problem.
        public static let usage = Code("usage")
        /// An input record could not be parsed or does not fit the schema.
        public static let malformedRecord = Code("malformed-record")
        /// A source read more bad records than its `maxErrorRate` allows.
        public static let errorRateExceeded = Code("error-rate-exceeded")
        /// A fault injected on purpose (`"faults"`, `--allow-faults`).
        public static let injectedFault = Code("injected-fault")
        /// An input file or directory is missing or unreadable.
        public static let inputNotFound = Code("input-not-found")
        /// Reading failed.
        public static let readFailed = Code("read-failed")
        /// An output file or directory cannot be written.
        public static let writeFailed = Code("write-failed")
        /// An expression failed at run time.
        public static let evaluation = Code("evaluation")
        /// A broken invariant: a bug in streamrun.
        public static let internalError = Code("internal")
    }

    /// How recovery treats the error.
    public enum RetryClass: String, Sendable {
        /// The user's job or data is wrong: never retried.
        case user
        /// Something outside may heal (I/O, a server): retried with backoff.
        case transient
        /// A bug in streamrun.
        case `internal`
    }

    public var code: Code
    public var message: String
    public var retry: RetryClass
    /// Where: a JSON path, or `file:line`.
    public var location: String?
    public var underlying: String?

    public init(_ code: Code, _ message: String, retry: RetryClass = .user, location: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.retry = retry
        self.location = location
        self.underlying = underlying
    }

    public var description: String {
        var s = location.map { "\($0): \(message)" } ?? message
        if let u = underlying { s += " (\(u))" }
        return s
    }

    /// Process exit code: 2 for job validation and usage, 1 for everything else.
    public var exitCode: Int32 { (code == .invalidJob || code == .usage) ? 2 : 1 }
}

/// One problem found while validating job.json: the JSON path and what was wrong.
public struct JobIssue: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension StreamrunError {
    /// Every validation problem at once, one per line.
    public static func invalidJob(_ file: String, _ issues: [JobIssue]) -> StreamrunError {
        let n = issues.count
        let head = "\(file): \(n) problem\(n == 1 ? "" : "s") found"
        return StreamrunError(.invalidJob, ([head] + issues.map { "  " + $0.description }).joined(separator: "\n"))
    }
}
