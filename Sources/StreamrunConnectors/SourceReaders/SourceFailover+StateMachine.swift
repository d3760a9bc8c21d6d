import StreamrunPlan

extension SourceFailover {
    /// Which settings a source reads with: its own (`path`), or its `fallback`'s.
    public enum Side: UInt8, Sendable, Hashable {
        case primary = 0
        case fallback = 1
    }

    /// What a source subtask does when a read fails and when one goes through: retry in place with
    /// backoff, switch to the fallback, degrade (an optional source), or fail the job. Pure: it is
    /// told the time and a random number, and returns what to do; ``SourceFailover`` does it.
    struct StateMachine: Sendable {
        enum Phase: Equatable, Sendable {
            /// Reading (or about to read again right away).
            case reading
            /// A read failed: the next try is at `atMs` (the `retry`th retry).
            case retrying(retry: Int, atMs: Int64)
            /// Failed past every retry and fallback, optional: the job goes on without this subtask,
            /// which tries again at `atMs` (background retry `retry`).
            case degraded(retry: Int, atMs: Int64)
        }

        enum Action: Equatable, Sendable {
            /// Read again at the same position after `delayMs` (retry `retry` of `maxRetries`).
            case retry(retry: Int, delayMs: Int64)
            /// Switch to the fallback's settings and read at once, at the same positions.
            case switchToFallback
            /// Go degraded: tell downstream not to wait (idle), and try again after `delayMs`.
            case degrade(delayMs: Int64)
            /// Degraded already: the background try failed; try again after `delayMs`.
            case retryInBackground(retry: Int, delayMs: Int64)
            /// Fail the job with the read's error.
            case fail
        }

        let retry: RetrySpec
        let hasFallback: Bool
        let optional: Bool
        private(set) var side: Side
        private(set) var phase: Phase = .reading

        init(retry: RetrySpec, hasFallback: Bool, optional: Bool, side: Side = .primary) {
            self.retry = retry
            self.hasFallback = hasFallback
            self.optional = optional
            self.side = side
        }

        var isDegraded: Bool { if case .degraded = phase { return true } else { return false } }

        /// Milliseconds until a read may be tried; 0 when it may be now.
        func waitMs(nowMs: Int64) -> Int64 {
            switch phase {
            case .reading: return 0
            case .retrying(_, let at), .degraded(_, let at): return max(0, at - nowMs)
            }
        }

        /// A read failed at `nowMs`; `random` in [0, 1) varies the delay (jitter).
        mutating func readFailed(nowMs: Int64, random: Double) -> Action {
            switch phase {
            case .degraded(let n, _):
                let delay = retry.delayMs(retry: n + 1, random: random)
                phase = .degraded(retry: n + 1, atMs: nowMs + delay)
                return .retryInBackground(retry: n + 1, delayMs: delay)
            case .reading, .retrying:
                let done: Int
                if case .retrying(let n, _) = phase { done = n } else { done = 0 }
                if done < retry.maxRetries {
                    let delay = retry.delayMs(retry: done + 1, random: random)
                    phase = .retrying(retry: done + 1, atMs: nowMs + delay)
                    return .retry(retry: done + 1, delayMs: delay)
                }
                if hasFallback && side == .primary {
                    side = .fallback
                    phase = .reading
                    return .switchToFallback
                }
                guard optional else { return .fail }
                let delay = retry.delayMs(retry: 1, random: random)
                phase = .degraded(retry: 1, atMs: nowMs + delay)
                return .degrade(delayMs: delay)
            }
        }

        /// A read went through: the retries start over. Returns true when the subtask was degraded
        /// (it rejoins now).
        mutating func readSucceeded() -> Bool {
            let was = isDegraded
            phase = .reading
            return was
        }
    }
}
