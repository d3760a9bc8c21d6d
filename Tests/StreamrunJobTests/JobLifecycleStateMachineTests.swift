import StreamrunCore
import Testing

@testable import StreamrunJob

/// The job lifecycle, driven synchronously: phases, checkpoint ids, savepoints queued behind a
/// checkpoint in flight, stops that replace one being aligned, restarts, and waiters.
@Suite struct JobLifecycleStateMachineTests {
    typealias M = JobLifecycle.StateMachine

    static func trigger(_ id: CheckpointID, root: String? = nil, stop: Bool = false) -> M.Action {
        .trigger(M.Trigger(id: id, savepointRoot: root, stop: stop))
    }

    static func running(after lastID: CheckpointID = 0) -> M {
        var m = M(checkpointsEnabled: true)
        _ = m.attemptStarted(lastCheckpointID: lastID)
        return m
    }

    @Test func startWakesWhoWaitsAndIdsContinueAfterTheRestoredOnes() {
        var m = M(checkpointsEnabled: true)
        #expect(m.phase == .starting)
        #expect(m.waitUntilStarted(1) == [])
        #expect(m.attemptStarted(lastCheckpointID: 17) == [.resume([1], .phase(.running))])
        #expect(m.waitUntilStarted(2) == [.resume([2], .phase(.running))])
        #expect(m.triggerPeriodic() == M.Trigger(id: 18, savepointRoot: nil, stop: false))
        #expect(m.triggerPeriodic() == nil, "one checkpoint in flight at a time")
        #expect(m.checkpointAligned(18) == M.Trigger(id: 18, savepointRoot: nil, stop: false))
        #expect(m.checkpointCompleted(18, savepoint: nil) == [])
        #expect(m.triggerPeriodic()?.id == 19)
    }

    @Test func savepointWaitsForTheCheckpointInFlight() {
        var m = Self.running()
        #expect(m.triggerPeriodic()?.id == 1)
        #expect(m.requestSavepoint(root: "sp", waiter: 7) == [], "queued behind checkpoint 1")
        #expect(m.checkpointCompleted(1, savepoint: nil) == [Self.trigger(2, root: "sp")])
        #expect(m.checkpointAligned(2)?.savepointRoot == "sp")
        #expect(m.checkpointCompleted(2, savepoint: "sp/sp-000002") == [.resume([7], .checkpoint(2, .completed(savepoint: "sp/sp-000002")))])
    }

    @Test func savepointIsRefusedUnlessRunning() {
        var m = M(checkpointsEnabled: true)
        #expect(m.requestSavepoint(root: "sp", waiter: 1) == [.resume([1], .refused(.starting))])
        var off = M(checkpointsEnabled: false)
        _ = off.attemptStarted(lastCheckpointID: 0)
        #expect(off.requestSavepoint(root: "sp", waiter: 2) == [.resume([2], .refused(.running))])
    }

    @Test func failedCheckpointWakesItsWaitersAndLetsTheQueueGo() {
        var m = Self.running()
        #expect(m.requestSavepoint(root: "a", waiter: 1) == [Self.trigger(1, root: "a")])
        #expect(m.requestSavepoint(root: "b", waiter: 2) == [])
        #expect(m.checkpointFailed(1, reason: "disk full") == [.resume([1], .checkpoint(1, .failed("disk full"))), Self.trigger(2, root: "b")])
    }

    @Test func stopReplacesACheckpointBeingAligned() {
        var m = Self.running()
        #expect(m.requestSavepoint(root: "a", waiter: 1) == [Self.trigger(1, root: "a")])
        #expect(m.requestStop(savepointRoot: "stop", waiter: 2) == [
            .abandon(1, reason: "the job is stopping"),
            .resume([1], .checkpoint(1, .abandoned("the job is stopping"))),
            Self.trigger(2, root: "stop", stop: true),
        ])
        #expect(m.phase == .stopping)
        #expect(m.triggerPeriodic() == nil)
        #expect(m.requestSavepoint(root: "late", waiter: 3) == [.resume([3], .refused(.stopping))])
        #expect(m.checkpointAligned(2) == M.Trigger(id: 2, savepointRoot: "stop", stop: true))
        #expect(m.checkpointCompleted(2, savepoint: "stop/sp-000002") == [.resume([2], .checkpoint(2, .completed(savepoint: "stop/sp-000002")))])
        #expect(m.attemptEnded(.stopped) == [])
        #expect(m.phase == .stopped)
    }

    @Test func stopLetsACheckpointBeingWrittenFinish() {
        var m = Self.running()
        #expect(m.triggerPeriodic()?.id == 1)
        #expect(m.checkpointAligned(1)?.stop == false)
        #expect(m.requestStop() == [Self.trigger(2, stop: true)])
        #expect(m.inFlight == [1, 2])
        #expect(m.checkpointCompleted(1, savepoint: nil) == [])
        #expect(m.checkpointTimedOut(2, reason: "slow") == [.abandon(2, reason: "slow")])
    }

    @Test func stopBeforeTheAttemptRunsIsTriggeredWhenItStarts() {
        var m = M(checkpointsEnabled: true)
        #expect(m.waitUntilStopRequested(9) == [])
        #expect(m.requestStop(savepointRoot: "sp", waiter: 1) == [.resume([9], .phase(.stopping))])
        #expect(m.waitUntilStarted(2) == [])
        #expect(m.attemptStarted(lastCheckpointID: 4) == [Self.trigger(5, root: "sp", stop: true), .resume([2], .phase(.stopping))])
        #expect(m.checkpointCompleted(5, savepoint: "sp/sp-000005") == [.resume([1], .checkpoint(5, .completed(savepoint: "sp/sp-000005")))])
    }

    @Test func stopWithoutCheckpointsDrainsAndWakesWhenTheJobEnds() {
        var m = M(checkpointsEnabled: false)
        _ = m.attemptStarted(lastCheckpointID: 0)
        #expect(m.triggerPeriodic() == nil)
        #expect(m.requestStop(waiter: 1) == [.drain])
        #expect(m.requestStop(waiter: 2) == [], "a second request joins the first")
        #expect(m.attemptEnded(.finished) == [.resume([1, 2], .phase(.finished))])
        #expect(m.requestStop(waiter: 3) == [.resume([3], .phase(.finished))])
    }

    @Test func restartAbandonsWhatWasInFlightAndIdsKeepGrowing() {
        var m = Self.running(after: 3)
        #expect(m.triggerPeriodic()?.id == 4)
        #expect(m.waitForCheckpoint(4, 1) == [])
        #expect(m.attemptEnded(.failed(restart: true)) == [
            .abandon(4, reason: "the job is restarting"),
            .resume([1], .checkpoint(4, .abandoned("the job is restarting"))),
        ])
        #expect(m.phase == .restarting && m.restarts == 1)
        #expect(m.waitUntilEnded(2) == [])
        // The checkpoint directory still ends at 3: ids used by this process are not reused.
        #expect(m.attemptStarted(lastCheckpointID: 3) == [])
        #expect(m.triggerPeriodic()?.id == 5)
        #expect(m.attemptEnded(.failed(restart: false)) == [.abandon(5, reason: "the job failed"), .resume([2], .phase(.failed))])
    }

    @Test func stopSavepointNeverTakenIsReportedWhenTheJobEnds() {
        var m = M(checkpointsEnabled: true)
        #expect(m.requestStop(savepointRoot: "sp", waiter: 1) == [])
        #expect(m.attemptEnded(.failed(restart: false)) == [.resume([1], .phase(.failed))])
    }

    @Test func timeoutAbandonsOnlyACheckpointStillBeingAligned() {
        var m = Self.running()
        #expect(m.triggerPeriodic()?.id == 1)
        #expect(m.checkpointTimedOut(1, reason: "timed out after 10 ms") == [.abandon(1, reason: "timed out after 10 ms")])
        #expect(m.inFlight.isEmpty)
        #expect(m.triggerPeriodic()?.id == 2)
        _ = m.checkpointAligned(2)
        #expect(m.checkpointTimedOut(2, reason: "timed out") == [])
        #expect(m.inFlight == [2])
    }

    @Test func cancelledWaiterIsWokenOnceAndForgotten() {
        var m = Self.running()
        #expect(m.requestSavepoint(root: "a", waiter: 1) == [Self.trigger(1, root: "a")])
        #expect(m.waitUntilEnded(2) == [])
        #expect(m.cancel(1) == [.resume([1], .cancelled)])
        #expect(m.cancel(1) == [])
        #expect(m.cancel(2) == [.resume([2], .cancelled)])
        #expect(m.checkpointCompleted(1, savepoint: "a/sp-000001") == [])
        #expect(m.attemptEnded(.finished) == [])
    }

    @Test func finalCheckpointTakesTheNextId() {
        var m = Self.running(after: 9)
        #expect(m.triggerPeriodic()?.id == 10)
        #expect(m.checkpointCompleted(10, savepoint: nil) == [])
        #expect(m.finalCheckpointID() == 11)
    }
}
