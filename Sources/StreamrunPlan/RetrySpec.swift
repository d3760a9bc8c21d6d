/// How a connector retries a call that failed transiently, in place and without restarting the job
/// (`"retry"` on a sink or source): exponential backoff with jitter, at most `maxRetries` times.
public struct RetrySpec: Sendable, Hashable {
    /// Retries after the first failure of one call; 0 turns retries off.
    public var maxRetries: Int = 3
    public var initialIntervalMs: Int64 = 500
    public var maxIntervalMs: Int64 = 30_000
    public var multiplier: Double = 2
    /// Each delay varies by up to this fraction either way.
    public var jitter: Double = 0.2

    public init() {}

    /// The delay before retry `retry` (1 for the first), given a random number in [0, 1).
    public func delayMs(retry: Int, random: Double) -> Int64 {
        var base = Double(initialIntervalMs)
        for _ in 1..<max(retry, 1) {
            base *= multiplier
            if base >= Double(maxIntervalMs) { break }
        }
        return Self.jittered(min(base, Double(maxIntervalMs)), jitter: jitter, random: random)
    }

    /// `baseMs` varied by up to `jitter` of itself either way (`random` in [0, 1)), in whole
    /// milliseconds, never negative: the delay of a retry, or of a restart (``RestartSpec``).
    public static func jittered(_ baseMs: Double, jitter: Double, random: Double) -> Int64 {
        max(0, Int64((baseMs + baseMs * jitter * (random * 2 - 1)).rounded()))
    }

    /// Without `"retry"`: 3 retries, 0.5 s doubling up to 30 s, ±20 %.
    public static let `default` = RetrySpec()
}

/// When a sink stops calling a destination that keeps failing (`"circuitBreaker"` on a sink):
/// after `failureThreshold` consecutive failures the breaker opens for `openFor`; then up to
/// `halfOpenProbes` calls go through, and their success closes it (a failure opens it again).
/// While it is open the sink's records go to its `"fallback"` sink, or the sink waits.
public struct CircuitBreakerSpec: Sendable, Hashable {
    public var failureThreshold: Int = 5
    public var openForMs: Int64 = 30_000
    public var halfOpenProbes: Int = 1

    public init() {}
}
