import StreamrunJob
import StreamrunCore

/// The JSON bodies of the control endpoint's requests and responses, shared by the server and the client.
public enum ControlMessages {
    /// `POST /savepoints` request (every key optional).
    public struct SavepointRequest: Sendable, Codable {
        /// Where to write the savepoint; default `<job dir>/savepoints/<job name>/sp-<id>`. Relative
        /// to the savepoint root, or absolute inside it (see ``SavepointDirectory``).
        public var dir: String?
        /// `dir` is an absolute path that may lie outside the savepoint root (what the CLI's `--dir` sends).
        public var outsideRoot: Bool?
        public init(dir: String? = nil, outsideRoot: Bool? = nil) {
            self.dir = dir
            self.outsideRoot = outsideRoot
        }
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
        /// As in ``SavepointRequest``.
        public var dir: String?
        public var outsideRoot: Bool?
        public init(savepoint: Bool? = nil, dir: String? = nil, outsideRoot: Bool? = nil) {
            self.savepoint = savepoint
            self.dir = dir
            self.outsideRoot = outsideRoot
        }
    }

    /// `GET /ping` response: the process serves (liveness).
    public struct PingResponse: Sendable, Codable {
        public var status = "alive"
        public init() {}
    }

    /// `GET /ready` response: whether the job runs (readiness; 503 when not), and its state.
    public struct ReadyResponse: Sendable, Codable {
        public var ready: Bool
        public var state: JobStatus.State
        public init(state: JobStatus.State) {
            self.ready = state == .running
            self.state = state
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
    /// A control request without the run's token where one is needed (401).
    public static let unauthorized = StreamrunError.Code("unauthorized")
    /// A control request through a Host or from an Origin that is not the endpoint's (403).
    public static let forbidden = StreamrunError.Code("forbidden")
}

extension StreamrunError {
    /// The HTTP status of an error answer: the caller's mistake is 400, something that may heal 503,
    /// a bug 500; no route 404, no token 401, a foreign Host or Origin 403.
    public var httpStatus: Int {
        if code == .notFound { return 404 }
        if code == .unauthorized { return 401 }
        if code == .forbidden { return 403 }
        switch retry {
        case .user: return 400
        case .transient: return 503
        case .internal: return 500
        }
    }
}
