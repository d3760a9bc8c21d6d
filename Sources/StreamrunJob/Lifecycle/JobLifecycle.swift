import StreamrunCore
import StreamrunRuntime
import Synchronization

/// The one owner of a job's lifecycle: its phase, its checkpoints in flight, and everyone waiting
/// for either. Events go through ``StateMachine`` under one lock; the actions it returns — waking
/// waiters, injecting or abandoning a checkpoint in the running attempt — run outside the lock.
/// Waiters (a savepoint request, `stop`, the CLI's "wait until running", the coordinator's
/// "wait for this checkpoint") are resumed when the state changes, never by polling.
///
/// It also keeps ``CheckpointHistory`` in step, under the same lock, so the history records a
/// checkpoint as triggered before any subtask can acknowledge it.
///
/// - Important: Every `wait…` returns ``StateMachine/Wake/cancelled`` when its task is cancelled.
public final class JobLifecycle: Sendable {
    typealias Machine = StateMachine
    typealias Wake = StateMachine.Wake

    private struct Storage {
        var machine: Machine
        var continuations: [Machine.WaiterID: CheckedContinuation<Wake, Never>] = [:]
        var nextWaiter = 0
        /// The running attempt's runner: what triggers and stops act on.
        var runner: JobRunner?
    }

    private let storage: Mutex<Storage>
    let history: CheckpointHistory

    init(checkpointsEnabled: Bool, history: CheckpointHistory) {
        storage = Mutex(Storage(machine: Machine(checkpointsEnabled: checkpointsEnabled)))
        self.history = history
    }

    public var phase: JobStatus.State { storage.withLock { $0.machine.phase } }
    public var restarts: Int { storage.withLock { $0.machine.restarts } }
    var stopRequested: Bool { storage.withLock { $0.machine.stopRequested } }

    // MARK: - Events

    /// A new attempt runs `runner`; checkpoint ids continue after `lastCheckpointID`.
    func attemptStarted(_ runner: JobRunner, lastCheckpointID: CheckpointID) {
        perform { s in
            s.runner = runner
            return s.machine.attemptStarted(lastCheckpointID: lastCheckpointID)
        }
    }

    func attemptEnded(_ end: Machine.AttemptEnd) {
        perform { s in
            s.runner = nil
            return s.machine.attemptEnded(end)
        }
    }

    /// Asks the job to stop (without waiting): at a checkpoint when it has checkpoints, else by
    /// draining. Returns whether this was the first request.
    @discardableResult
    func requestStop() -> Bool {
        var first = false
        perform { s in
            first = !s.machine.stopRequested && !s.machine.phase.hasEnded
            return s.machine.requestStop()
        }
        return first
    }

    /// The interval passed: triggers a checkpoint unless one is in flight; returns its id.
    func triggerPeriodic() -> CheckpointID? {
        var id: CheckpointID?
        perform { s in
            guard let t = s.machine.triggerPeriodic() else { return [] }
            id = t.id
            return [.trigger(t)]
        }
        return id
    }

    /// Every subtask acknowledged `id`; returns how it was triggered (where to copy it as a
    /// savepoint, whether the job stops after it), or nil for the final checkpoint.
    func checkpointAligned(_ id: CheckpointID) -> Machine.Trigger? {
        var trigger: Machine.Trigger?
        perform { s in
            trigger = s.machine.checkpointAligned(id)
            return []
        }
        return trigger
    }

    /// Checkpoint `id` is durable and its sinks committed.
    func checkpointCompleted(_ id: CheckpointID, sizeBytes: Int64, atMs: Int64, savepoint: String?) {
        perform { s in
            history.completed(id, sizeBytes: sizeBytes, atMs: atMs, path: savepoint)
            return s.machine.checkpointCompleted(id, savepoint: savepoint)
        }
    }

    func checkpointFailed(_ id: CheckpointID, reason: String) {
        perform { s in
            history.failed(id, reason: reason)
            return s.machine.checkpointFailed(id, reason: reason)
        }
    }

    func checkpointTimedOut(_ id: CheckpointID, reason: String) {
        perform { s in
            let actions = s.machine.checkpointTimedOut(id, reason: reason)
            if !actions.isEmpty { history.failed(id, reason: reason) }
            return actions
        }
    }

    /// The id for the checkpoint that records the end of a finished attempt.
    func finalCheckpointID() -> CheckpointID {
        var id: CheckpointID = 0
        perform { s in
            id = s.machine.finalCheckpointID()
            return []
        }
        return id
    }

    // MARK: - Waiting

    /// Stops the job and waits: for the stop checkpoint's outcome when `savepointRoot` is given,
    /// else until the job has ended.
    func stop(savepointRoot: String?) async -> Wake {
        await wait { m, w in m.requestStop(savepointRoot: savepointRoot, waiter: w) }
    }

    /// Takes a savepoint under `root` (after the checkpoint in flight, if any) and waits for it.
    func savepoint(root: String) async -> Wake {
        await wait { m, w in m.requestSavepoint(root: root, waiter: w) }
    }

    /// Waits until the first attempt runs, or the job ended before it could; returns the phase.
    public func waitUntilStarted() async -> JobStatus.State? {
        if case .phase(let p) = await wait({ m, w in m.waitUntilStarted(w) }) { return p }
        return nil
    }

    func waitUntilStopRequested() async { _ = await wait { m, w in m.waitUntilStopRequested(w) } }

    func waitUntilEnded() async -> JobStatus.State? {
        if case .phase(let p) = await wait({ m, w in m.waitUntilEnded(w) }) { return p }
        return nil
    }

    func waitForCheckpoint(_ id: CheckpointID) async { _ = await wait { m, w in m.waitForCheckpoint(id, w) } }

    /// Registers a waiter through `register` and suspends until an action wakes it (perhaps at once).
    private func wait(_ register: (inout Machine, Machine.WaiterID) -> [Machine.Action]) async -> Wake {
        let id = storage.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Wake, Never>) in
                perform { s in
                    s.continuations[id] = c
                    // Cancelled before it was registered: the handler found nothing to cancel.
                    if Task.isCancelled { return [.resume([id], .cancelled)] }
                    return register(&s.machine, id)
                }
            }
        } onCancel: {
            perform { $0.machine.cancel(id) }
        }
    }

    // MARK: - Actions

    /// Applies an event under the lock (and records triggers and abandons in the history there),
    /// then acts on the runner and wakes waiters outside it.
    private func perform(_ event: (inout Storage) -> [Machine.Action]) {
        var wakes: [(CheckedContinuation<Wake, Never>, Wake)] = []
        var effects: [(JobRunner, Machine.Action)] = []
        storage.withLock { s in
            for action in event(&s) {
                switch action {
                case .resume(let ids, let wake):
                    for id in ids { if let c = s.continuations.removeValue(forKey: id) { wakes.append((c, wake)) } }
                case .trigger(let t):
                    history.triggered(t.id, kind: t.savepointRoot == nil ? "checkpoint" : "savepoint", atMs: WallClock.nowMs())
                    if let r = s.runner { effects.append((r, action)) }
                case .abandon(let id, let reason):
                    history.abandoned(id, reason: reason)
                    if let r = s.runner { effects.append((r, action)) }
                case .drain:
                    if let r = s.runner { effects.append((r, action)) }
                }
            }
        }
        for (runner, action) in effects {
            switch action {
            case .trigger(let t) where t.stop: runner.stopWithCheckpoint(t.id)
            case .trigger(let t): runner.triggerCheckpoint(t.id)
            case .abandon(let id, _): runner.abandonCheckpoint(id)
            case .drain: runner.requestStop()
            case .resume: break
            }
        }
        for (c, wake) in wakes { c.resume(returning: wake) }
    }
}
