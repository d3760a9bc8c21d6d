/// A fault to inject (`"faults"` in job.json, run only with `--allow-faults`): for tests and drills
/// of restarts, retries and alerts against real failures.
public struct FaultSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The node fails when its subtasks together have taken in another `every` records.
        case failRecord = "fail-record"
        /// The node fails while taking checkpoint `checkpoint`.
        case failCheckpoint = "fail-checkpoint"
        /// A sink's writes fail (each batch it is handed, and the flush at each checkpoint).
        case failWrites = "fail-writes"
        /// A sink's commits fail.
        case failCommits = "fail-commits"
        /// A source's reads fail.
        case failReads = "fail-reads"

        /// Whether the fault goes on a sink (`fail-writes`, `fail-commits`) or a source (`fail-reads`).
        public var target: Target {
            switch self {
            case .failRecord, .failCheckpoint: return .operatorOrSink
            case .failWrites, .failCommits: return .sink
            case .failReads: return .source
            }
        }

        public enum Target: Sendable { case operatorOrSink, sink, source }
    }

    /// The error class the injected failure has: `transient` (restarted), `internal` or `user`.
    public enum ErrorClass: String, Sendable, Hashable, CaseIterable {
        case transient, `internal`, user
    }

    public var node: String
    public var kind: Kind
    public var every: Int = 1000
    public var checkpoint: Int64 = 1
    /// How many times it fires in one process (across restarts); nil: every time.
    public var times: Int? = 1
    public var errorClass: ErrorClass = .transient
    /// Fires only while this file exists (a drill or test makes the outage start and end).
    public var whilePath: String?
    /// Fires only from this long after the process started …
    public var afterMs: Int64?
    /// … and for this long.
    public var forMs: Int64?
    /// Where it was declared: `faults[0]`.
    public var jsonPath: String

    public init(node: String, kind: Kind, jsonPath: String = "") {
        self.node = node
        self.kind = kind
        self.jsonPath = jsonPath
    }
}
