import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// Issue 13, the source side: the pure decisions of ``SourceFailover/StateMachine`` (retry in place,
/// fallback, degrade, rejoin), the fault window, roots and the side section.
@Suite struct SourceFailoverStateMachineTests {
    typealias Machine = SourceFailover.StateMachine

    static func retry(_ n: Int) -> RetrySpec {
        var r = RetrySpec()
        r.maxRetries = n
        r.initialIntervalMs = 100
        r.maxIntervalMs = 400
        r.jitter = 0
        return r
    }

    @Test func retriesInPlaceWithBackoffThenFailsTheJob() {
        var m = Machine(retry: Self.retry(3), hasFallback: false, optional: false)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .retry(retry: 1, delayMs: 100))
        #expect(m.waitMs(nowMs: 40) == 60)
        #expect(m.waitMs(nowMs: 100) == 0)
        #expect(m.readFailed(nowMs: 100, random: 0.5) == .retry(retry: 2, delayMs: 200))
        #expect(m.readFailed(nowMs: 300, random: 0.5) == .retry(retry: 3, delayMs: 400))
        #expect(m.readFailed(nowMs: 700, random: 0.5) == .fail)
    }

    @Test func aReadThatGoesThroughStartsTheRetriesOver() {
        var m = Machine(retry: Self.retry(1), hasFallback: false, optional: false)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .retry(retry: 1, delayMs: 100))
        #expect(m.readSucceeded() == false)
        #expect(m.waitMs(nowMs: 0) == 0)
        #expect(m.readFailed(nowMs: 200, random: 0.5) == .retry(retry: 1, delayMs: 100))
        #expect(m.readFailed(nowMs: 300, random: 0.5) == .fail)
    }

    @Test func pastItsRetriesTheSourceSwitchesToItsFallbackOnceThenFails() {
        var m = Machine(retry: Self.retry(1), hasFallback: true, optional: false)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .retry(retry: 1, delayMs: 100))
        #expect(m.readFailed(nowMs: 100, random: 0.5) == .switchToFallback)
        #expect(m.side == .fallback)
        #expect(m.waitMs(nowMs: 100) == 0)
        // The fallback has retries of its own, and no fallback after it.
        #expect(m.readFailed(nowMs: 100, random: 0.5) == .retry(retry: 1, delayMs: 100))
        #expect(m.readFailed(nowMs: 200, random: 0.5) == .fail)
    }

    @Test func aRestoredFallbackSideStaysThere() {
        var m = Machine(retry: Self.retry(0), hasFallback: true, optional: false, side: .fallback)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .fail)
    }

    @Test func anOptionalSourceDegradesRetriesInTheBackgroundCappedAndRejoins() {
        var m = Machine(retry: Self.retry(1), hasFallback: false, optional: true)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .retry(retry: 1, delayMs: 100))
        #expect(m.readFailed(nowMs: 100, random: 0.5) == .degrade(delayMs: 100))
        #expect(m.isDegraded)
        #expect(m.readFailed(nowMs: 200, random: 0.5) == .retryInBackground(retry: 2, delayMs: 200))
        #expect(m.readFailed(nowMs: 400, random: 0.5) == .retryInBackground(retry: 3, delayMs: 400))
        #expect(m.readFailed(nowMs: 800, random: 0.5) == .retryInBackground(retry: 4, delayMs: 400))
        #expect(m.waitMs(nowMs: 1000) == 200)
        #expect(m.readSucceeded() == true)
        #expect(!m.isDegraded)
        #expect(m.readSucceeded() == false)
    }

    @Test func anOptionalSourceWithAFallbackDegradesOnlyAfterTheFallbackFails() {
        var m = Machine(retry: Self.retry(0), hasFallback: true, optional: true)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .switchToFallback)
        #expect(m.readFailed(nowMs: 0, random: 0.5) == .degrade(delayMs: 100))
        #expect(m.side == .fallback)
    }

    @Test func onlyReadFailuresAreRetried() {
        #expect(SourceFailover.isReadFailure(StreamrunError(.inputNotFound, "cannot open x")))
        #expect(SourceFailover.isReadFailure(StreamrunError(.readFailed, "cannot read x", retry: .transient)))
        #expect(SourceFailover.isReadFailure(StreamrunError(.injectedFault, "injected", retry: .transient)))
        #expect(!SourceFailover.isReadFailure(StreamrunError(.injectedFault, "injected", retry: .user)))
        #expect(!SourceFailover.isReadFailure(StreamrunError(.malformedRecord, "bad record")))
    }

    @Test func pastItsRetriesAMissingFileFailsTheJobAsATransientError() throws {
        var spec = SourceSpec(id: "s", kind: .file, path: "/x")
        spec.retry = Self.retry(0)
        let f = SourceFailover(spec: spec, fallback: nil, subtask: 0, side: .primary, metrics: nil, observer: nil)
        #expect(throws: StreamrunError.self) { _ = try f.readFailed(StreamrunError(.inputNotFound, "cannot open /x")) }
        do {
            _ = try f.readFailed(StreamrunError(.inputNotFound, "cannot open /x"))
        } catch {
            #expect(error.retry == .transient && error.code == .inputNotFound)
        }
    }
}

@Suite struct FaultWindowTests {
    static func fault(while path: String? = nil, after: Int64? = nil, for span: Int64? = nil) -> FaultSpec {
        var f = FaultSpec(node: "s", kind: .failReads)
        f.whilePath = path
        f.afterMs = after
        f.forMs = span
        return f
    }

    @Test func theWindowHoldsWhileItsFileExistsAndWithinItsSpan() {
        #expect(FaultWindow.conditionsHold(Self.fault(), elapsedMs: 0, whileFileExists: false))
        #expect(FaultWindow.conditionsHold(Self.fault(while: "f"), elapsedMs: 0, whileFileExists: true))
        #expect(!FaultWindow.conditionsHold(Self.fault(while: "f"), elapsedMs: 0, whileFileExists: false))
        let span = Self.fault(after: 1000, for: 500)
        #expect(!FaultWindow.conditionsHold(span, elapsedMs: 999, whileFileExists: false))
        #expect(FaultWindow.conditionsHold(span, elapsedMs: 1000, whileFileExists: false))
        #expect(FaultWindow.conditionsHold(span, elapsedMs: 1499, whileFileExists: false))
        #expect(!FaultWindow.conditionsHold(span, elapsedMs: 1500, whileFileExists: false))
        #expect(FaultWindow.conditionsHold(Self.fault(after: 10), elapsedMs: 1_000_000, whileFileExists: false))
    }

    @Test func timesLimitsTheFirings() {
        var f = Self.fault()
        f.times = 2
        let w = FaultWindow(index: 0, spec: f, job: "fault-window-\(UInt64.random(in: 0...UInt64.max))")
        #expect([w.firesNow(), w.firesNow(), w.firesNow()] == [true, true, false])
    }
}

@Suite struct SourceRootTests {
    @Test(arguments: [
        ("/data/in", "/data/in/a/b.jsonl", "a/b.jsonl"),
        ("/data/in/", "/data/in/b.jsonl", "b.jsonl"),
        ("/data/in/bids.jsonl", "/data/in/bids.jsonl", ""),
        ("/data/in/*.jsonl", "/data/in/b.jsonl", "b.jsonl"),
        ("in/2024-*/x.jsonl", "in/2024-01/x.jsonl", "2024-01/x.jsonl"),
    ])
    func aPathIsNamedRelativeToItsRoot(_ root: String, _ path: String, _ relative: String) {
        let r = SourceRoot(path: root)
        #expect(r.relative(path) == relative)
        #expect(r.absolute(relative) == path)
    }

    @Test func aSplitMovesToTheSamePlaceUnderAnotherRoot() {
        let (primary, backup) = (SourceRoot(path: "/data/in"), SourceRoot(path: "/mirror/in"))
        #expect(backup.absolute(primary.relative("/data/in/2024/b.jsonl")) == "/mirror/in/2024/b.jsonl")
        let (file, fileBackup) = (SourceRoot(path: "/data/bids.jsonl"), SourceRoot(path: "/mirror/bids-copy.jsonl"))
        #expect(fileBackup.absolute(file.relative("/data/bids.jsonl")) == "/mirror/bids-copy.jsonl")
    }

    @Test func theSideSectionIsOnlyWrittenWhenNeededAndRoundTrips() throws {
        #expect(SourceSideState().encoded == nil)
        #expect(try SourceSideState.decode(nil) == SourceSideState())
        for state in [SourceSideState(side: .fallback, listed: true), SourceSideState(side: .primary, listed: false)] {
            #expect(try SourceSideState.decode(state.encoded) == state)
        }
        #expect(throws: StreamrunError.self) { try SourceSideState.decode([2, 1, 1]) }
    }
}
