import StreamrunJob
import StreamrunCore

/// The JSON bodies of the control endpoint's requests and responses, shared by the server and the client.
public enum ControlMessages {
    /// `POST /savepoints` request (every key optional).
    public struct SavepointRequest: Sendable, Codable {
        /// Where to write the savepoint; default `<job dir>/savepoints/<job name>/sp-<id>`.
        public var dir: String?
        public init(dir: String? = nil) { self.dir = dir }
    }

    /// `POST /savepoints` response.
    public struct SavepointResponse: Sendable, Codable {
        public var path: String
        public init(path: String) { self.path = path }
    }

    /// `POST /stop` request (every key optional).
    public struct StopRequest: Sendable, Codable {
        /// Also take a savepoint as the job stops.
        public var savepoint: Bool?
        public var dir: String?
        public init(savepoint: Bool? = nil, dir: String? = nil) {
            self.savepoint = savepoint
            self.dir = dir
        }
    }

    /// `POST /stop` response: the savepoint's directory, or `null` (always present).
    public struct StopResponse: Sendable, Codable {
        public var savepoint: String?
        public init(savepoint: String?) { self.savepoint = savepoint }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(savepoint, forKey: .savepoint)
        }
    }

    /// `GET /checkpoints` response: what this process checkpointed, oldest first.
    public struct CheckpointsResponse: Sendable, Codable {
        public var checkpoints: [CheckpointHistory.Entry]
        /// Checkpoints that failed since the job started (also those no longer in the list).
        public var failures: Int
        public init(checkpoints: [CheckpointHistory.Entry], failures: Int) {
            self.checkpoints = checkpoints
            self.failures = failures
        }
    }

    /// Every error response: `{"error": "...", "code": "...", "retry": "user"}`.
    public struct ErrorResponse: Sendable, Codable {
        public var error: String
        public var code: String
        /// `user`, `transient` or `internal`, as ``StreamrunError/RetryClass``.
        public var retry: String

        public init(_ e: StreamrunError) {
            error = e.description
            code = e.code.rawValue
            retry = e.retry.rawValue
        }

        public var streamrunError: StreamrunError {
            StreamrunError(StreamrunError.Code(code), error, retry: StreamrunError.RetryClass(rawValue: retry) ?? .internal)
        }
    }
}

extension StreamrunError.Code {
    /// No control endpoint answers for the job: it is not running.
    public static let notRunning = StreamrunError.Code("not-running")
    /// A control request that is malformed or names no route.
    public static let badRequest = StreamrunError.Code("bad-request")
    public static let notFound = StreamrunError.Code("not-found")
}

extension StreamrunError {
    /// The HTTP status of an error answer: the caller's mistake is 400, something that may heal 503,
    /// a bug 500.
    public var httpStatus: Int {
        if code == .notFound { return 404 }
        switch retry {
        case .user: return 400
        case .transient: return 503
        case .internal: return 500
        }
    }
}
