import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// How one source subtask rides out failing reads (issue 13): every read step goes through it.
/// Before a read it injects the job's `fail-reads` faults for the side being read; when a read fails
/// with an I/O error (or an injected fault), its ``StateMachine`` decides: retry in place after a
/// backoff (the reader keeps its position), switch to the `fallback` source's path, go degraded
/// (an `optional` source: the subtask sends `idle` so the watermark stops waiting for it, and
/// tries again in the background), or fail the job with a transient error.
///
/// While it waits, the reader returns `.pending` every 50 ms at most, so checkpoints complete and
/// store the position it will continue from.
///
/// - Important: A read that fails must leave its reader where it was (no record skipped or read
///   twice); ``SplitReader`` hands over the rows it read before an I/O error and fails on the next call.
final class SourceFailover {
    let spec: SourceSpec
    /// The standby whose `path` the subtask switches to; nil without `fallback`.
    let fallbackSpec: SourceSpec?
    let subtask: Int
    private var machine: StateMachine
    private let faults: [Side: [FaultWindow]]
    private let metrics: NodeMetrics?
    private let observer: SourceObserver?
    /// Set when the subtask went degraded: the next output is `.idle`.
    private var idlePending = false
    private var random = SystemRandomNumberGenerator()

    init(spec: SourceSpec, fallback: SourceSpec?, subtask: Int, side: Side, faults: [Side: [FaultWindow]] = [:],
         metrics: NodeMetrics?, observer: SourceObserver?) {
        self.spec = spec
        self.fallbackSpec = fallback
        self.subtask = subtask
        self.faults = faults
        self.metrics = metrics
        self.observer = observer
        let side = fallback == nil ? .primary : side
        machine = StateMachine(retry: spec.retry, hasFallback: fallback != nil, optional: spec.optional, side: side)
        if side == .fallback { metrics?.fallbackSubtasks.add(1) }
    }

    var side: Side { machine.side }

    /// The settings of the side being read (its `path`, `pathBase`).
    var current: SourceSpec { side == .fallback ? fallbackSpec ?? spec : spec }

    var isDegraded: Bool { machine.isDegraded }

    /// What the reader returns instead of reading, or nil to read now: `.idle` once after going
    /// degraded, `.pending` (after a short sleep) while a retry waits.
    func beforeRead() async throws -> SourceOutput? {
        if idlePending {
            idlePending = false
            return .idle
        }
        let wait = machine.waitMs(nowMs: MonotonicMillis.now)
        guard wait > 0 else { return nil }
        try await Task.sleep(for: .milliseconds(min(wait, 50)))
        return .pending
    }

    /// Throws the injected `fail-reads` fault of the side being read, when one fires now.
    func injectFaults(reading what: String) throws(StreamrunError) {
        for f in faults[side] ?? [] where f.firesNow() { throw f.error("reading \(what)") }
    }

    /// Whether `error` is a failed read (retried) rather than bad data or a bug (never retried).
    static func isReadFailure(_ error: StreamrunError) -> Bool {
        switch error.code {
        case .inputNotFound, .readFailed: return true
        case .injectedFault: return error.retry != .user
        default: return false
        }
    }

    /// A read failed with `error`. Returns true when the reader must now switch to the fallback's
    /// path (at the same positions); false when it waits (``beforeRead()``) and tries again.
    ///
    /// - Throws: the error, as a transient one, when it fails the job (or at once when it is not a
    ///   read failure).
    func readFailed(_ error: StreamrunError) throws(StreamrunError) -> Bool {
        guard Self.isReadFailure(error) else { throw error }
        let event = { (kind: SourceEvent.Kind) in
            self.observer?(SourceEvent(kind: kind, source: self.spec.id, subtask: self.subtask, cause: error.description))
        }
        switch machine.readFailed(nowMs: MonotonicMillis.now, random: Double.random(in: 0..<1, using: &random)) {
        case .retry(let n, let delay):
            metrics?.readRetries.add(1)
            event(.retrying(retry: n, maxRetries: spec.retry.maxRetries, delayMs: delay))
            return false
        case .switchToFallback:
            metrics?.fallbackSubtasks.add(1)
            event(.switchedToFallback(fallback: fallbackSpec?.id ?? "", path: fallbackSpec?.path ?? ""))
            return true
        case .degrade(let delay):
            metrics?.degradedSubtasks.add(1)
            idlePending = true
            event(.degraded(delayMs: delay))
            return false
        case .retryInBackground(let n, let delay):
            metrics?.readRetries.add(1)
            event(.stillFailing(retry: n, delayMs: delay))
            return false
        case .fail:
            var e = error
            if e.code != .injectedFault { e.retry = .transient }
            throw e
        }
    }

    /// A read went through: retries start over; a degraded subtask rejoins.
    func readSucceeded() {
        guard machine.readSucceeded() else { return }
        metrics?.degradedSubtasks.add(-1)
        observer?(SourceEvent(kind: .rejoined, source: spec.id, subtask: subtask))
    }
}
