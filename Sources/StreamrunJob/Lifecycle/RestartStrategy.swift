import StreamrunPlan

/// Decides, failure by failure, whether the job restarts and after how long (``RestartSpec``, with
/// Flink's semantics). A pure value: the caller passes the time (milliseconds of a monotonic clock)
/// and a random number in [0, 1) for jitter, so it is tested synchronously.
public struct RestartStrategy: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Restart after `delayMs`; this is restart `attempt` (of `limit`, when there is one).
        case restart(delayMs: Int64, attempt: Int, limit: Int?)
        /// Do not restart: the reason, for the final report.
        case giveUp(reason: String)
    }

    public let spec: RestartSpec
    /// Restarts so far (since the last reset, for exponential-delay).
    public private(set) var attempts = 0
    /// Restarts in all, for reports.
    public private(set) var total = 0
    private var backoffMs: Int64 = 0
    private var lastFailureMs: Int64?
    private var failures: [Int64] = []

    public init(_ spec: RestartSpec) { self.spec = spec }

    public mutating func onFailure(nowMs: Int64, random: Double) -> Decision {
        defer { lastFailureMs = nowMs }
        switch spec {
        case .none:
            return .giveUp(reason: "the restart strategy is \"none\"")
        case .fixedDelay(let limit, let delay):
            guard attempts < limit else { return .giveUp(reason: "\(limit) restart\(limit == 1 ? "" : "s") (fixed-delay) used up") }
            return restart(delay, limit: limit)
        case .exponentialDelay(let e):
            if let last = lastFailureMs, nowMs - last >= e.resetBackoffThresholdMs {
                attempts = 0
                backoffMs = 0
            }
            if let limit = e.attempts, attempts >= limit {
                return .giveUp(reason: "\(limit) restart\(limit == 1 ? "" : "s") (exponential-delay) used up")
            }
            backoffMs = backoffMs == 0 ? e.initialBackoffMs : min(e.maxBackoffMs, Int64((Double(backoffMs) * e.multiplier).rounded()))
            return restart(RetrySpec.jittered(Double(backoffMs), jitter: e.jitter, random: random), limit: e.attempts)
        case .failureRate(let maxFailures, let interval, let delay):
            failures.append(nowMs)
            failures.removeAll { nowMs - $0 > interval }
            guard failures.count <= maxFailures else {
                return .giveUp(reason: "more than \(maxFailures) failure\(maxFailures == 1 ? "" : "s") within \(interval / 1000) s (failure-rate)")
            }
            return restart(delay, limit: nil)
        }
    }

    private mutating func restart(_ delay: Int64, limit: Int?) -> Decision {
        attempts += 1
        total += 1
        return .restart(delayMs: delay, attempt: attempts, limit: limit)
    }
}
