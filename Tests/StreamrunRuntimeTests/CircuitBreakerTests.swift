import StreamrunPlan
import Testing

@testable import StreamrunRuntime

/// The sink circuit breaker as a pure state machine: the tests pass the time, so nothing waits.
@Suite struct CircuitBreakerTests {
    static func breaker(threshold: Int = 3, openForMs: Int64 = 1000, probes: Int = 1) -> CircuitBreaker {
        var spec = CircuitBreakerSpec()
        spec.failureThreshold = threshold
        spec.openForMs = openForMs
        spec.halfOpenProbes = probes
        return CircuitBreaker(spec)
    }

    /// Fails `n` plain (non-probe) calls at `nowMs`; the transitions they caused.
    static func fail(_ b: inout CircuitBreaker, _ n: Int, nowMs: Int64 = 0) -> [CircuitBreaker.Transition] {
        (0..<n).compactMap { _ in b.failed(nowMs: nowMs, probe: false) }
    }

    @Test func opensAfterExactlyThresholdConsecutiveFailures() {
        var b = Self.breaker(threshold: 3)
        #expect(Self.fail(&b, 2).isEmpty)
        #expect(b.state == .closed && b.consecutiveFailures == 2)
        #expect(b.acquire(nowMs: 0).0 == .call)
        #expect(b.failed(nowMs: 10, probe: false) == .opened(consecutiveFailures: 3, reopened: false))
        #expect(b.state == .open)
    }

    @Test func aSuccessInBetweenResetsTheCount() {
        var b = Self.breaker(threshold: 3)
        #expect(Self.fail(&b, 2).isEmpty)
        #expect(b.succeeded(probe: false) == nil)
        #expect(b.consecutiveFailures == 0)
        #expect(Self.fail(&b, 2).isEmpty)
        #expect(b.state == .closed)
        #expect(Self.fail(&b, 1) == [.opened(consecutiveFailures: 3, reopened: false)])
    }

    @Test func thresholdOneOpensAtTheFirstFailure() {
        var b = Self.breaker(threshold: 1)
        #expect(Self.fail(&b, 1) == [.opened(consecutiveFailures: 1, reopened: false)])
    }

    @Test func refusedWithTheTimeLeftWhileOpen() {
        var b = Self.breaker(threshold: 2, openForMs: 1000)
        _ = Self.fail(&b, 2, nowMs: 5000)
        #expect(b.acquire(nowMs: 5000) == (.refused(waitMs: 1000), nil))
        #expect(b.acquire(nowMs: 5250) == (.refused(waitMs: 750), nil))
        #expect(b.acquire(nowMs: 5999) == (.refused(waitMs: 1), nil))
        #expect(b.state == .open)
    }

    @Test func turnsHalfOpenAfterOpenForWithOneProbe() {
        var b = Self.breaker(threshold: 2, openForMs: 1000)
        _ = Self.fail(&b, 2, nowMs: 5000)
        #expect(b.acquire(nowMs: 6000) == (.probe, .halfOpened))
        #expect(b.state == .halfOpen)
        // One probe at a time: the next caller waits (at most openFor, at most 100 ms).
        #expect(b.acquire(nowMs: 6001) == (.refused(waitMs: 100), nil))
        #expect(b.succeeded(probe: true) == .closed)
        #expect(b.state == .closed && b.consecutiveFailures == 0)
        #expect(b.acquire(nowMs: 6002) == (.call, nil))
    }

    @Test func theProbeWaitIsNeverLongerThanOpenFor() {
        var b = Self.breaker(threshold: 1, openForMs: 30)
        _ = Self.fail(&b, 1, nowMs: 0)
        #expect(b.acquire(nowMs: 30).0 == .probe)
        #expect(b.acquire(nowMs: 31).0 == .refused(waitMs: 30))
    }

    @Test func twoProbesNeedTwoSuccessesAndNoMoreThanTwoAtOnce() {
        var b = Self.breaker(threshold: 1, openForMs: 100, probes: 2)
        _ = Self.fail(&b, 1, nowMs: 0)
        #expect(b.acquire(nowMs: 100) == (.probe, .halfOpened))
        #expect(b.acquire(nowMs: 101) == (.probe, nil))
        // Both probes are under way: a third caller is refused.
        #expect(b.acquire(nowMs: 102).0 == .refused(waitMs: 100))
        #expect(b.succeeded(probe: true) == nil)
        #expect(b.state == .halfOpen)
        // One succeeded and one is under way: still no room for another.
        #expect(b.acquire(nowMs: 103).0 == .refused(waitMs: 100))
        #expect(b.succeeded(probe: true) == .closed)
        #expect(b.state == .closed)
    }

    @Test func aSuccessThatIsNoProbeDoesNotCloseAHalfOpenBreaker() {
        var b = Self.breaker(threshold: 1, openForMs: 100)
        _ = Self.fail(&b, 1, nowMs: 0)
        #expect(b.acquire(nowMs: 100).0 == .probe)
        #expect(b.succeeded(probe: false) == nil)
        #expect(b.state == .halfOpen)
    }

    @Test func aFailedProbeReopensAndOpenForCountsFromThen() {
        var b = Self.breaker(threshold: 2, openForMs: 1000)
        _ = Self.fail(&b, 2, nowMs: 0)
        #expect(b.acquire(nowMs: 1000) == (.probe, .halfOpened))
        #expect(b.failed(nowMs: 1500, probe: true) == .opened(consecutiveFailures: 3, reopened: true))
        #expect(b.state == .open)
        #expect(b.acquire(nowMs: 2000) == (.refused(waitMs: 500), nil))
        #expect(b.acquire(nowMs: 2499) == (.refused(waitMs: 1), nil))
        #expect(b.acquire(nowMs: 2500) == (.probe, .halfOpened))
        #expect(b.succeeded(probe: true) == .closed)
        #expect(b.consecutiveFailures == 0)
    }

    @Test func aFailedProbeOfTwoReopensAndTheNextHalfOpenStartsOver() {
        var b = Self.breaker(threshold: 1, openForMs: 100, probes: 2)
        _ = Self.fail(&b, 1, nowMs: 0)
        #expect(b.acquire(nowMs: 100).0 == .probe)
        #expect(b.acquire(nowMs: 100).0 == .probe)
        #expect(b.succeeded(probe: true) == nil)
        #expect(b.failed(nowMs: 150, probe: true) == .opened(consecutiveFailures: 2, reopened: true))
        // The first round's success does not count toward the next.
        #expect(b.acquire(nowMs: 250) == (.probe, .halfOpened))
        #expect(b.succeeded(probe: true) == nil)
        #expect(b.acquire(nowMs: 251).0 == .probe)
        #expect(b.succeeded(probe: true) == .closed)
    }

    @Test func successesAndFailuresWhileOpenAreIgnored() {
        var b = Self.breaker(threshold: 2, openForMs: 1000)
        _ = Self.fail(&b, 2, nowMs: 0)
        // Calls that were under way when it opened report late.
        #expect(b.succeeded(probe: false) == nil)
        #expect(b.state == .open)
        #expect(b.failed(nowMs: 900, probe: false) == nil)
        #expect(b.state == .open)
        // A late failure does not push the opening back.
        #expect(b.acquire(nowMs: 1000) == (.probe, .halfOpened))
    }

    @Test func anAbandonedProbeFreesItsPlaceAndCountsNothing() {
        var b = Self.breaker(threshold: 1, openForMs: 100)
        _ = Self.fail(&b, 1, nowMs: 0)
        #expect(b.acquire(nowMs: 100) == (.probe, .halfOpened))
        #expect(b.acquire(nowMs: 101).0 == .refused(waitMs: 100))
        b.abandoned(probe: true)
        #expect(b.state == .halfOpen && b.consecutiveFailures == 1)
        #expect(b.acquire(nowMs: 102) == (.probe, nil))
        // A second report of the same probe, or a call that was no probe, changes nothing.
        b.abandoned(probe: false)
        #expect(b.acquire(nowMs: 103).0 == .refused(waitMs: 100))
        #expect(b.succeeded(probe: true) == .closed)
        b.abandoned(probe: true)
        #expect(b.state == .closed && b.acquire(nowMs: 104).0 == .call)
    }

    @Test func gaugeValues() {
        #expect(CircuitBreaker.State.closed.gauge == 0)
        #expect(CircuitBreaker.State.open.gauge == 1)
        #expect(CircuitBreaker.State.halfOpen.gauge == 2)
        #expect(CircuitBreaker.State.halfOpen.rawValue == "half-open")
        var b = Self.breaker(threshold: 1, openForMs: 10)
        #expect(b.state.gauge == 0)
        _ = Self.fail(&b, 1)
        #expect(b.state.gauge == 1)
        _ = b.acquire(nowMs: 10)
        #expect(b.state.gauge == 2)
    }
}
