/// Where to tell a person when something happens to the job (`"alerts"` in job.json): a webhook
/// (an HTTP POST of the event as JSON) or a command (the event as JSON on its standard input).
public struct AlertSpec: Sendable, Hashable {
    /// The events an alert can be for.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        /// The job failed for good (a user error, or restarts ran out).
        case jobFailed = "job_failed"
        /// The job failed and restarts from its last checkpoint.
        case restarting
        /// A checkpoint failed (the job goes on while failures stay tolerable).
        case checkpointFailed = "checkpoint_failed"
        /// After restarts, the job completed a checkpoint again.
        case recovered
    }

    public var on: [Event]
    public var webhook: String?
    public var command: [String]?
    /// Seconds a webhook call may take. Default 5.
    public var timeoutMs: Int64 = 5000
    /// Where it was declared: `alerts[0]`.
    public var jsonPath: String

    public init(on: [Event], webhook: String? = nil, command: [String]? = nil, jsonPath: String = "") {
        self.on = on
        self.webhook = webhook
        self.command = command
        self.jsonPath = jsonPath
    }
}
