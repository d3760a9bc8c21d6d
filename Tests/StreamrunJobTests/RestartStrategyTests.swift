import StreamrunPlan
import Testing

@testable import StreamrunJob

/// Restart strategies with Flink's semantics, driven synchronously with given times and jitter.
@Suite struct RestartStrategyTests {
    typealias D = RestartStrategy.Decision

    @Test func fixedDelayRestartsAttemptsTimesThenGivesUp() {
        var s = RestartStrategy(.fixedDelay(attempts: 2, delayMs: 500))
        #expect(s.onFailure(nowMs: 0, random: 0.5) == .restart(delayMs: 500, attempt: 1, limit: 2))
        #expect(s.onFailure(nowMs: 10, random: 0.5) == .restart(delayMs: 500, attempt: 2, limit: 2))
        #expect(s.onFailure(nowMs: 20, random: 0.5) == .giveUp(reason: "2 restarts (fixed-delay) used up"))
        #expect(s.total == 2)
    }

    @Test func exponentialDelayGrowsToItsCapWithJitterAndResetsAfterAQuietSpell() {
        var e = RestartSpec.ExponentialDelay()
        e.initialBackoffMs = 100
        e.maxBackoffMs = 1000
        e.multiplier = 2
        e.jitter = 0.1
        e.resetBackoffThresholdMs = 60_000
        e.attempts = 6
        var s = RestartStrategy(.exponentialDelay(e))
        // random 0.5 is no jitter; 0 is −10 %, just under 1 is +10 %.
        let delays = [0.5, 0.5, 0.5, 0.5, 0.0, 0.999_999].enumerated().map { k, r -> Int64 in
            guard case .restart(let d, let attempt, let limit) = s.onFailure(nowMs: Int64(k) * 10, random: r) else { return -1 }
            #expect(attempt == k + 1 && limit == 6)
            return d
        }
        #expect(delays == [100, 200, 400, 800, 900, 1100])
        guard case .giveUp = s.onFailure(nowMs: 70, random: 0.5) else {
            Issue.record("the seventh failure restarted")
            return
        }
        // A failure an hour later starts over.
        var t = RestartStrategy(.exponentialDelay(e))
        _ = t.onFailure(nowMs: 0, random: 0.5)
        _ = t.onFailure(nowMs: 1, random: 0.5)
        #expect(t.onFailure(nowMs: 70_000, random: 0.5) == .restart(delayMs: 100, attempt: 1, limit: 6))
        #expect(t.total == 3)
    }

    @Test func exponentialDelayWithoutALimitKeepsRestarting() {
        var e = RestartSpec.ExponentialDelay()
        e.attempts = nil
        var s = RestartStrategy(.exponentialDelay(e))
        for k in 0..<50 {
            guard case .restart(let d, _, nil) = s.onFailure(nowMs: Int64(k), random: 0.5) else {
                Issue.record("failure \(k) gave up")
                return
            }
            #expect(d <= e.maxBackoffMs)
        }
    }

    @Test func failureRateGivesUpWhenTooManyFailuresFallInTheInterval() {
        var s = RestartStrategy(.failureRate(maxFailures: 2, intervalMs: 1000, delayMs: 50))
        #expect(s.onFailure(nowMs: 0, random: 0.5) == .restart(delayMs: 50, attempt: 1, limit: nil))
        #expect(s.onFailure(nowMs: 500, random: 0.5) == .restart(delayMs: 50, attempt: 2, limit: nil))
        // The first has left the interval by 1200: still two within a second.
        #expect(s.onFailure(nowMs: 1200, random: 0.5) == .restart(delayMs: 50, attempt: 3, limit: nil))
        #expect(s.onFailure(nowMs: 1300, random: 0.5) == .giveUp(reason: "more than 2 failures within 1 s (failure-rate)"))
    }

    @Test func noneNeverRestarts() {
        var s = RestartStrategy(.none)
        #expect(s.onFailure(nowMs: 0, random: 0.5) == .giveUp(reason: "the restart strategy is \"none\""))
    }
}
