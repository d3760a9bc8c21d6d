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
        /// A sink's circuit breaker opened: its records go to its fallback, or the job waits.
        case circuitOpen = "circuit_open"
        /// A sink's circuit breaker closed again.
        case circuitClosed = "circuit_closed"
        /// An optional source failed past its retries; the job goes on without it.
        case sourceDegraded = "source_degraded"
        /// A source failed past its retries and its fallback took over.
        case sourceFallback = "source_fallback"
        /// A node's dead letters exceeded its `maxErrorRate` (dead-lettered records per second).
        case deadLetterRate = "dead_letter_rate"

        /// A condition an earlier event reported (`circuit_open`, `source_degraded`, `dead_letter_rate`,
        /// `restarting`) has cleared; sent to the alerts that were told of it.
        case resolved

        /// Events that report a condition that lasts until it clears: repeated every `escalateAfter`
        /// until then, and followed by `resolved`.
        public var isCondition: Bool {
            switch self {
            case .circuitOpen, .sourceDegraded, .deadLetterRate, .restarting: return true
            default: return false
            }
        }
    }

    public var on: [Event]
    public var webhook: String?
    public var command: [String]?
    /// Seconds a webhook call may take. Default 5.
    public var timeoutMs: Int64 = 5000
    /// Sends a condition (`circuit_open`, `source_degraded`, `restarting`, …) again this often
    /// until it clears; nil: once.
    public var escalateAfterMs: Int64?
    /// `dead_letter_rate` fires when a node dead-letters more than this share of its records over
    /// the last minute; nil: 1 %.
    public var deadLetterRate: Double?
    /// Where it was declared: `alerts[0]`.
    public var jsonPath: String

    public init(on: [Event], webhook: String? = nil, command: [String]? = nil, jsonPath: String = "") {
        self.on = on
        self.webhook = webhook
        self.command = command
        self.jsonPath = jsonPath
    }
}
