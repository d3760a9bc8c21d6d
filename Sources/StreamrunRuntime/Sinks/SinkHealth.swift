import StreamrunCore
import StreamrunPlan
import Synchronization

/// How each sink of a job fares: its circuit breaker (shared by its subtasks and its commits),
/// and counts of retries, failures and records handed to its fallback. One per job, kept across
/// restarts: a breaker that is open stays open when the job restarts.
public final class SinkHealth: Sendable {
    /// Something a person may need to know; the launcher logs it and sends alerts.
    public enum Happening: Sendable {
        /// A call failed transiently and is tried again after `delayMs`.
        /// `subtask`: the writer's, nil for a commit (the job's).
        case retrying(sink: NodeID, subtask: Int?, what: String, retry: Int, limit: Int?, delayMs: Int64, error: StreamrunError)
        case opened(sink: NodeID, consecutiveFailures: Int, error: StreamrunError?, fallback: String?, openForMs: Int64)
        /// A probe of the half-open breaker failed: open again (no new alert: the condition goes on).
        case reopened(sink: NodeID, error: StreamrunError?, openForMs: Int64)
        case halfOpened(sink: NodeID)
        case closed(sink: NodeID)
    }

    /// One sink as `GET /job` shows it.
    public struct Status: Sendable, Codable, Equatable {
        public var id: NodeID
        /// Nil when the sink has no breaker.
        public var circuit: CircuitBreaker.State?
        public var consecutiveFailures: Int
        public var retries: Int
        public var failures: Int
        public var fallbackRecords: Int
        public var fallback: String?
        public var lastError: String?
    }

    final class Entry: Sendable {
        let id: NodeID
        let retry: RetrySpec
        let fallback: String?
        let breaker: Mutex<CircuitBreaker?>
        let retries = Counter()
        let failures = Counter()
        let fallbackRecords = Counter()
        let lastError = Mutex<String?>(nil)

        init(id: NodeID, spec: SinkSpec) {
            self.id = id
            retry = spec.retry
            fallback = spec.fallback
            breaker = Mutex(spec.circuitBreaker.map(CircuitBreaker.init))
        }
    }

    private let entries: [NodeID: Entry]
    private let order: [NodeID]
    private let observer = Mutex<(@Sendable (Happening) -> Void)?>(nil)
    private static let origin = ContinuousClock.now

    public init(plan: JobPlan) {
        var entries: [NodeID: Entry] = [:]
        var order: [NodeID] = []
        for node in plan.nodes {
            guard case .sink(let s) = node.kind else { continue }
            entries[node.id] = Entry(id: node.id, spec: s.spec)
            order.append(node.id)
        }
        self.entries = entries
        self.order = order
    }

    /// Where happenings go (one subscriber), called on the thread where they happen.
    public func observe(_ handler: @escaping @Sendable (Happening) -> Void) { observer.withLock { $0 = handler } }

    /// Milliseconds on a monotonic clock.
    public static var nowMs: Int64 {
        let d = origin.duration(to: .now)
        return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }

    public func retrySpec(_ sink: NodeID) -> RetrySpec { entries[sink]?.retry ?? .default }

    public func hasBreaker(_ sink: NodeID) -> Bool { entries[sink]?.breaker.withLock { $0 != nil } ?? false }

    public func state(_ sink: NodeID) -> CircuitBreaker.State? { entries[sink]?.breaker.withLock { $0?.state } }

    public func acquire(_ sink: NodeID) -> CircuitBreaker.Permission {
        guard let e = entries[sink] else { return .call }
        let (permission, transition) = e.breaker.withLock { b -> (CircuitBreaker.Permission, CircuitBreaker.Transition?) in
            guard b != nil else { return (.call, nil) }
            return b!.acquire(nowMs: Self.nowMs)
        }
        if let transition { report(transition, e, error: nil) }
        return permission
    }

    public func succeeded(_ sink: NodeID, probe: Bool) {
        guard let e = entries[sink] else { return }
        let transition = e.breaker.withLock { b -> CircuitBreaker.Transition? in b == nil ? nil : b!.succeeded(probe: probe) }
        if let transition { report(transition, e, error: nil) }
    }

    /// A call failed (transiently, or not); opens the breaker when that was one failure too many.
    public func failed(_ sink: NodeID, probe: Bool, error: StreamrunError) {
        guard let e = entries[sink] else { return }
        e.failures.add(1)
        e.lastError.withLock { $0 = error.description }
        let transition = e.breaker.withLock { b -> CircuitBreaker.Transition? in
            b == nil ? nil : b!.failed(nowMs: Self.nowMs, probe: probe)
        }
        if let transition { report(transition, e, error: error) }
    }

    /// A call ended without an answer (cancelled): frees its probe, if it was one.
    public func abandoned(_ sink: NodeID, probe: Bool) {
        entries[sink]?.breaker.withLock { b in b?.abandoned(probe: probe) }
    }

    /// A retry is coming after `delayMs` (`limit`: of how many; nil while a breaker decides).
    public func retrying(_ sink: NodeID, subtask: Int? = nil, what: String, retry: Int, limit: Int?, delayMs: Int64, error: StreamrunError) {
        guard let e = entries[sink] else { return }
        e.retries.add(1)
        emit(.retrying(sink: sink, subtask: subtask, what: what, retry: retry, limit: limit, delayMs: delayMs, error: error))
    }

    public func handedToFallback(_ sink: NodeID, records: Int) { entries[sink]?.fallbackRecords.add(records) }

    public var statuses: [Status] {
        order.compactMap { id in
            guard let e = entries[id] else { return nil }
            let (state, failures) = e.breaker.withLock { ($0?.state, $0?.consecutiveFailures ?? 0) }
            return Status(id: id, circuit: state, consecutiveFailures: failures, retries: e.retries.load,
                          failures: e.failures.load, fallbackRecords: e.fallbackRecords.load, fallback: e.fallback,
                          lastError: e.lastError.withLock { $0 })
        }
    }

    private func report(_ t: CircuitBreaker.Transition, _ e: Entry, error: StreamrunError?) {
        switch t {
        case .opened(let n, let reopened):
            let openFor = e.breaker.withLock { $0?.spec.openForMs ?? 0 }
            emit(reopened ? .reopened(sink: e.id, error: error, openForMs: openFor)
                : .opened(sink: e.id, consecutiveFailures: n, error: error, fallback: e.fallback, openForMs: openFor))
        case .halfOpened: emit(.halfOpened(sink: e.id))
        case .closed: emit(.closed(sink: e.id))
        }
    }

    private func emit(_ h: Happening) {
        let handler = observer.withLock { $0 }
        handler?(h)
    }
}

extension SinkHealth {
    /// Commits with the sink's retries: a transient failure is tried again in place with backoff, up
    /// to `maxRetries` times, and counts toward its breaker; then the failure is thrown (the
    /// checkpoint fails, and the next one commits what this one prepared).
    public func commit(_ sink: any TwoPhaseCommitSink, _ prepared: [PreparedCommit], checkpoint id: CheckpointID) async throws(StreamrunError) {
        let spec = retrySpec(sink.id)
        var retries = 0
        while true {
            do {
                try sink.commit(prepared, checkpoint: id)
                succeeded(sink.id, probe: false)
                return
            } catch {
                failed(sink.id, probe: false, error: error)
                guard error.retry == .transient, retries < spec.maxRetries else { throw error }
                retries += 1
                let delay = spec.delayMs(retry: retries, random: Double.random(in: 0..<1))
                retrying(sink.id, what: "commit of checkpoint \(id)", retry: retries, limit: spec.maxRetries, delayMs: delay, error: error)
                let failure = error
                do { try await Task.sleep(for: .milliseconds(delay)) } catch _ { throw failure }
            }
        }
    }
}
