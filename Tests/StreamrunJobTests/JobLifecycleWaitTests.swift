import StreamrunCore
import Testing

@testable import StreamrunJob

/// ``JobLifecycle``'s waiters with real tasks: resumed by the transition they wait for, and by
/// cancellation — whether it comes before or after they registered.
@Suite struct JobLifecycleWaitTests {
    @Test func waitersAreResumedByTransitions() async {
        let lifecycle = JobLifecycle(checkpointsEnabled: false, history: CheckpointHistory())
        async let started = lifecycle.waitUntilStarted()
        async let ended = lifecycle.waitUntilEnded()
        // The waits may register before or after these events; either way they see them.
        lifecycle.attemptEnded(.finished)
        #expect(await started == .finished)
        #expect(await ended == .finished)
        #expect(await lifecycle.stop(savepointRoot: nil) == .phase(.finished))
    }

    @Test func cancelledWaiterReturnsCancelled() async {
        let lifecycle = JobLifecycle(checkpointsEnabled: true, history: CheckpointHistory())
        let waiting = Task { await lifecycle.waitUntilEnded() }
        waiting.cancel()
        #expect(await waiting.value == nil)
        // Cancelled before it could even register.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await lifecycle.savepoint(root: "sp")
        }
        let wake = await early.value
        #expect(wake == .cancelled || wake == .refused(.starting))
        lifecycle.attemptEnded(.failed(restart: false))
        #expect(await lifecycle.waitUntilEnded() == .failed)
    }
}
