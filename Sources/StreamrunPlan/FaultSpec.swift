/// A fault to inject (`"faults"` in job.json, run only with `--allow-faults`): for tests and drills
/// of restarts, retries and alerts against real failures.
public struct FaultSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The node fails when its subtasks together have taken in another `every` records.
        case failRecord = "fail-record"
        /// The node fails while taking checkpoint `checkpoint`.
        case failCheckpoint = "fail-checkpoint"
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
    /// Where it was declared: `faults[0]`.
    public var jsonPath: String

    public init(node: String, kind: Kind, jsonPath: String = "") {
        self.node = node
        self.kind = kind
        self.jsonPath = jsonPath
    }
}
