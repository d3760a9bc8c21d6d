/// How a job restarts after a failure that is not the user's (`"restart"` in job.json), with Flink's
/// strategies and key names. User errors never restart; restarts need checkpoints.
public enum RestartSpec: Sendable, Hashable {
    /// `{"strategy": "fixed-delay", "attempts": 3, "delay": "1s"}`.
    case fixedDelay(attempts: Int, delayMs: Int64)
    /// `{"strategy": "exponential-delay", "initialBackoff": "1s", "maxBackoff": "1m", "multiplier": 1.5,
    /// "jitter": 0.1, "resetBackoffThreshold": "1h", "attempts": 10}`.
    case exponentialDelay(ExponentialDelay)
    /// `{"strategy": "failure-rate", "maxFailuresPerInterval": 1, "interval": "1m", "delay": "1s"}`.
    case failureRate(maxFailures: Int, intervalMs: Int64, delayMs: Int64)
    /// `{"strategy": "none"}`: the first failure fails the job.
    case none

    public struct ExponentialDelay: Sendable, Hashable {
        public var initialBackoffMs: Int64 = 1000
        public var maxBackoffMs: Int64 = 60_000
        public var multiplier: Double = 1.5
        /// The delay varies by up to this fraction either way.
        public var jitter: Double = 0.1
        /// A failure this long after the previous one starts the backoff (and the attempts) over.
        public var resetBackoffThresholdMs: Int64 = 3_600_000
        /// Restarts before giving up, counted since the last reset; nil: no limit.
        public var attempts: Int? = 10

        public init() {}
    }

    /// Without `"restart"`: 3 attempts, 1 s apart.
    public static let `default` = RestartSpec.fixedDelay(attempts: 3, delayMs: 1000)

    public var name: String {
        switch self {
        case .fixedDelay: return "fixed-delay"
        case .exponentialDelay: return "exponential-delay"
        case .failureRate: return "failure-rate"
        case .none: return "none"
        }
    }
}
