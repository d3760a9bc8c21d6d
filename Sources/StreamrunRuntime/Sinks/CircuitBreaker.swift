import StreamrunPlan

/// The circuit breaker of one sink (``CircuitBreakerSpec``), as a pure state machine: the caller
/// passes the time (milliseconds on a monotonic clock) and acts on what it returns, so it is tested
/// synchronously. Its subtasks share it.
///
/// - closed: calls go through; `failureThreshold` consecutive failures open it.
/// - open: calls are refused for `openFor` (the records go to the fallback sink, or the caller waits).
/// - half-open: up to `halfOpenProbes` calls go through at once as probes; that many successes
///   close it, one failure opens it again.
public struct CircuitBreaker: Sendable {
    public enum State: String, Sendable, Codable {
        case closed, open
        case halfOpen = "half-open"

        /// For the metrics: 0 closed, 1 open, 2 half-open.
        public var gauge: Int {
            switch self {
            case .closed: return 0
            case .open: return 1
            case .halfOpen: return 2
            }
        }
    }

    public enum Permission: Sendable, Equatable {
        /// Make the call.
        case call
        /// Make the call as a probe of a half-open breaker (report it with `probe: true`).
        case probe
        /// Do not call for another `waitMs`.
        case refused(waitMs: Int64)
    }

    public enum Transition: Sendable, Equatable {
        /// Opened: from closed, or again after a failed probe (`reopened`).
        case opened(consecutiveFailures: Int, reopened: Bool)
        case halfOpened
        case closed
    }

    public let spec: CircuitBreakerSpec
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var openedAtMs: Int64 = 0
    private var probesInFlight = 0
    private var probeSuccesses = 0

    public init(_ spec: CircuitBreakerSpec) { self.spec = spec }

    /// May a call go through now? An open breaker whose `openFor` has passed turns half-open.
    public mutating func acquire(nowMs: Int64) -> (Permission, Transition?) {
        switch state {
        case .closed:
            return (.call, nil)
        case .open:
            let left = openedAtMs + spec.openForMs - nowMs
            guard left <= 0 else { return (.refused(waitMs: left), nil) }
            state = .halfOpen
            probesInFlight = 1
            probeSuccesses = 0
            return (.probe, .halfOpened)
        case .halfOpen:
            guard probesInFlight + probeSuccesses < spec.halfOpenProbes else {
                // Wait a little for the probes under way.
                return (.refused(waitMs: min(spec.openForMs, 100)), nil)
            }
            probesInFlight += 1
            return (.probe, nil)
        }
    }

    public mutating func succeeded(probe: Bool) -> Transition? {
        switch state {
        case .closed:
            consecutiveFailures = 0
            return nil
        case .open:
            return nil
        case .halfOpen:
            guard probe else { return nil }
            probesInFlight -= 1
            probeSuccesses += 1
            guard probeSuccesses >= spec.halfOpenProbes else { return nil }
            state = .closed
            consecutiveFailures = 0
            return .closed
        }
    }

    public mutating func failed(nowMs: Int64, probe: Bool) -> Transition? {
        consecutiveFailures += 1
        switch state {
        case .closed:
            guard consecutiveFailures >= spec.failureThreshold else { return nil }
            return open(nowMs, reopened: false)
        case .open:
            return nil
        case .halfOpen:
            if probe { probesInFlight -= 1 }
            return open(nowMs, reopened: true)
        }
    }

    /// A call it let through ended without telling whether the destination works (it was
    /// cancelled): a probe's place is freed for the next caller; nothing is counted.
    public mutating func abandoned(probe: Bool) {
        guard probe, state == .halfOpen, probesInFlight > 0 else { return }
        probesInFlight -= 1
    }

    private mutating func open(_ nowMs: Int64, reopened: Bool) -> Transition {
        state = .open
        openedAtMs = nowMs
        probesInFlight = 0
        probeSuccesses = 0
        return .opened(consecutiveFailures: consecutiveFailures, reopened: reopened)
    }
}
