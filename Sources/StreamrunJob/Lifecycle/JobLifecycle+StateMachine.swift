import StreamrunCore

extension JobLifecycle {
    /// Where a job is in its life, and which of its checkpoints are in flight: a pure state machine
    /// in the style of swift-async-algorithms' channel. Every event returns the actions to perform
    /// (wake these waiters, inject this checkpoint's barrier, abandon that one), which
    /// ``JobLifecycle`` performs outside its lock.
    ///
    /// Phases: `starting` (checks, restore) → `running` → `stopping` → `stopped`, or `finished` at
    /// the end of bounded input, or `restarting` after a failure the launcher retries (then
    /// `running` again), or `failed`. Checkpointing is not a phase of its own: a job keeps
    /// processing while it checkpoints, so the checkpoints in flight are tracked beside the phase —
    /// at most one being aligned (barriers travelling) plus the ones whose files are being written.
    ///
    /// Checkpoint ids are allocated here, in order, and only grow (also across restarts). A
    /// savepoint asked for while a checkpoint is in flight waits for it; a stop triggers its
    /// checkpoint at once, abandoning one still being aligned.
    struct StateMachine: Sendable {
        typealias Phase = JobStatus.State
        typealias WaiterID = Int

        /// How a checkpoint the coordinator triggered ended, for whoever waits on it.
        enum CheckpointOutcome: Sendable, Equatable {
            /// Durable and committed; `savepoint` is its savepoint directory when one was asked for.
            case completed(savepoint: String?)
            case failed(String)
            case abandoned(String)
        }

        /// Why a waiter is woken.
        enum Wake: Sendable, Equatable {
            /// The phase it waited for (started, stop requested or ended), or the phase that ended
            /// its wait on a checkpoint that was never triggered.
            case phase(Phase)
            case checkpoint(CheckpointID, CheckpointOutcome)
            /// A savepoint cannot be taken in this phase.
            case refused(Phase)
            case cancelled
        }

        struct Trigger: Sendable, Equatable {
            var id: CheckpointID
            var savepointRoot: String?
            /// The job stops right after this checkpoint.
            var stop: Bool
        }

        enum Action: Sendable, Equatable {
            case resume([WaiterID], Wake)
            /// Inject the barrier of a new checkpoint.
            case trigger(Trigger)
            /// Give up a checkpoint still being aligned.
            case abandon(CheckpointID, reason: String)
            /// Without checkpoints, a stop makes the sources stop and the job drain.
            case drain
        }

        struct Pending: Sendable, Equatable {
            var trigger: Trigger
            /// Every subtask acknowledged: its files are being written.
            var aligned = false
            var waiters: [WaiterID] = []
        }

        struct StopRequest: Sendable, Equatable {
            var savepointRoot: String?
            /// The stop checkpoint, once triggered.
            var checkpoint: CheckpointID?
            /// Waiting for its savepoint before the stop checkpoint was triggered.
            var waiters: [WaiterID] = []
        }

        let checkpointsEnabled: Bool
        private(set) var phase: Phase = .starting
        private(set) var restarts = 0
        /// An attempt is running: its sources take barriers.
        private(set) var attemptRunning = false
        /// The first attempt started (or the job ended before it could).
        private(set) var started = false
        private(set) var lastCheckpointID: CheckpointID = 0
        private(set) var pending: [Pending] = []
        private(set) var stop: StopRequest?
        private(set) var queuedSavepoints: [(root: String, waiter: WaiterID)] = []
        private var startWaiters: [WaiterID] = []
        private var stopWaiters: [WaiterID] = []
        private var endWaiters: [WaiterID] = []

        init(checkpointsEnabled: Bool) { self.checkpointsEnabled = checkpointsEnabled }

        var stopRequested: Bool { stop != nil }

        /// The checkpoint being aligned or written, oldest first.
        var inFlight: [CheckpointID] { pending.map(\.trigger.id) }

        // MARK: - Attempts

        /// An attempt's runner exists; `lastCheckpointID` is the highest id found on disk.
        mutating func attemptStarted(lastCheckpointID: CheckpointID) -> [Action] {
            attemptRunning = true
            started = true
            self.lastCheckpointID = max(self.lastCheckpointID, lastCheckpointID)
            var actions: [Action] = []
            if stop != nil {
                phase = .stopping
                actions += triggerStop()
            } else {
                phase = .running
            }
            actions += Self.wake(&startWaiters, .phase(phase))
            return actions
        }

        enum AttemptEnd: Sendable, Equatable {
            case finished
            case stopped
            /// `restart`: the launcher tries again.
            case failed(restart: Bool)
        }

        mutating func attemptEnded(_ end: AttemptEnd) -> [Action] {
            attemptRunning = false
            switch end {
            case .finished: phase = .finished
            case .stopped: phase = .stopped
            case .failed(let restart):
                phase = restart ? .restarting : .failed
                if restart { restarts += 1 }
            }
            var actions: [Action] = []
            let why = phase == .restarting ? "the job is restarting" : "the job \(phase.rawValue)"
            for p in pending where !p.aligned { actions.append(.abandon(p.trigger.id, reason: why)) }
            for p in pending where !p.waiters.isEmpty { actions.append(.resume(p.waiters, .checkpoint(p.trigger.id, .abandoned(why)))) }
            pending = []
            let queued = queuedSavepoints.map(\.waiter)
            queuedSavepoints = []
            if !queued.isEmpty { actions.append(.resume(queued, .refused(phase))) }
            if phase == .restarting {
                // A stop checkpoint that was lost is triggered again by the next attempt.
                stop?.checkpoint = nil
            } else {
                started = true
                actions += Self.wake(&startWaiters, .phase(phase))
                actions += Self.wake(&endWaiters, .phase(phase))
                actions += Self.wake(&stopWaiters, .phase(phase))
                if var s = stop {
                    actions += Self.wake(&s.waiters, .phase(phase))
                    stop = s
                }
            }
            return actions
        }

        // MARK: - Stop

        /// Asks the job to stop, at a checkpoint (written as a savepoint under `savepointRoot` too,
        /// if given) when it has checkpoints, else by draining. `waiter` is woken with the stop
        /// checkpoint's outcome when a savepoint is asked for, else when the job has ended.
        mutating func requestStop(savepointRoot: String? = nil, waiter: WaiterID? = nil) -> [Action] {
            if phase.hasEnded { return waiter.map { [.resume([$0], .phase(phase))] } ?? [] }
            var actions = Self.wake(&stopWaiters, .phase(.stopping))
            if var s = stop {
                // Already stopping: a later request for a savepoint joins the stop checkpoint.
                if let waiter {
                    if savepointRoot == nil {
                        endWaiters.append(waiter)
                    } else if let id = s.checkpoint, let i = pending.firstIndex(where: { $0.trigger.id == id }), !pending[i].aligned {
                        if pending[i].trigger.savepointRoot == nil { pending[i].trigger.savepointRoot = savepointRoot }
                        pending[i].waiters.append(waiter)
                    } else if s.checkpoint == nil {
                        if s.savepointRoot == nil { s.savepointRoot = savepointRoot }
                        s.waiters.append(waiter)
                    } else {
                        actions.append(.resume([waiter], .refused(.stopping)))
                    }
                }
                stop = s
                return actions
            }
            stop = StopRequest(savepointRoot: savepointRoot, waiters: savepointRoot != nil ? waiter.map { [$0] } ?? [] : [])
            if savepointRoot == nil, let waiter { endWaiters.append(waiter) }
            phase = .stopping
            if attemptRunning { actions += triggerStop() }
            return actions
        }

        private mutating func triggerStop() -> [Action] {
            var actions: [Action] = []
            let queued = queuedSavepoints.map(\.waiter)
            queuedSavepoints = []
            if !queued.isEmpty { actions.append(.resume(queued, .refused(.stopping))) }
            guard checkpointsEnabled, var s = stop else { return actions + [.drain] }
            // The stop checkpoint replaces one still being aligned; one being written completes.
            if let i = pending.firstIndex(where: { !$0.aligned }) {
                let p = pending.remove(at: i)
                actions.append(.abandon(p.trigger.id, reason: "the job is stopping"))
                if !p.waiters.isEmpty { actions.append(.resume(p.waiters, .checkpoint(p.trigger.id, .abandoned("the job is stopping")))) }
            }
            let t = Trigger(id: nextID(), savepointRoot: s.savepointRoot, stop: true)
            pending.append(Pending(trigger: t, waiters: s.waiters))
            s.checkpoint = t.id
            s.waiters = []
            stop = s
            actions.append(.trigger(t))
            return actions
        }

        // MARK: - Checkpoints

        /// The interval passed: a checkpoint, unless one is in flight or the job is not running.
        mutating func triggerPeriodic() -> Trigger? {
            guard checkpointsEnabled, phase == .running, attemptRunning, pending.isEmpty else { return nil }
            let t = Trigger(id: nextID(), savepointRoot: nil, stop: false)
            pending.append(Pending(trigger: t))
            return t
        }

        /// A savepoint under `root`: triggered now, or once the checkpoint in flight is done.
        /// `waiter` is woken with its outcome, or refused when the job is not running.
        mutating func requestSavepoint(root: String, waiter: WaiterID) -> [Action] {
            guard checkpointsEnabled, phase == .running, attemptRunning else { return [.resume([waiter], .refused(phase))] }
            queuedSavepoints.append((root, waiter))
            return triggerQueued()
        }

        /// Every subtask acknowledged checkpoint `id`; its files are about to be written. Returns
        /// how it was triggered (a savepoint root, a stop), nil for one this machine did not trigger.
        mutating func checkpointAligned(_ id: CheckpointID) -> Trigger? {
            guard let i = pending.firstIndex(where: { $0.trigger.id == id }) else { return nil }
            pending[i].aligned = true
            return pending[i].trigger
        }

        /// Checkpoint `id` is durable and committed (`savepoint`: where its savepoint copy is).
        mutating func checkpointCompleted(_ id: CheckpointID, savepoint: String?) -> [Action] {
            finish(id, .completed(savepoint: savepoint))
        }

        mutating func checkpointFailed(_ id: CheckpointID, reason: String) -> [Action] {
            finish(id, .failed(reason))
        }

        /// Checkpoint `id` took longer than the timeout: abandoned if still being aligned (one whose
        /// files are being written is left to finish).
        mutating func checkpointTimedOut(_ id: CheckpointID, reason: String) -> [Action] {
            guard let p = pending.first(where: { $0.trigger.id == id }), !p.aligned else { return [] }
            return [.abandon(id, reason: reason)] + finish(id, .failed(reason))
        }

        /// The id the final checkpoint of a finished attempt gets.
        mutating func finalCheckpointID() -> CheckpointID { nextID() }

        private mutating func finish(_ id: CheckpointID, _ outcome: CheckpointOutcome) -> [Action] {
            guard let i = pending.firstIndex(where: { $0.trigger.id == id }) else { return [] }
            let p = pending.remove(at: i)
            var actions: [Action] = p.waiters.isEmpty ? [] : [.resume(p.waiters, .checkpoint(id, outcome))]
            actions += triggerQueued()
            return actions
        }

        private mutating func triggerQueued() -> [Action] {
            guard phase == .running, attemptRunning, pending.isEmpty, !queuedSavepoints.isEmpty else { return [] }
            let (root, waiter) = queuedSavepoints.removeFirst()
            let t = Trigger(id: nextID(), savepointRoot: root, stop: false)
            pending.append(Pending(trigger: t, waiters: [waiter]))
            return [.trigger(t)]
        }

        private mutating func nextID() -> CheckpointID {
            lastCheckpointID = lastCheckpointID.next
            return lastCheckpointID
        }

        // MARK: - Waiting

        /// Wakes `waiter` once the first attempt runs (or the job ended before it could).
        mutating func waitUntilStarted(_ waiter: WaiterID) -> [Action] {
            if started || phase.hasEnded { return [.resume([waiter], .phase(phase))] }
            startWaiters.append(waiter)
            return []
        }

        /// Wakes `waiter` once a stop is requested or the job ended.
        mutating func waitUntilStopRequested(_ waiter: WaiterID) -> [Action] {
            if stop != nil || phase.hasEnded { return [.resume([waiter], .phase(phase))] }
            stopWaiters.append(waiter)
            return []
        }

        /// Wakes `waiter` once the job has ended (stopped, finished or failed).
        mutating func waitUntilEnded(_ waiter: WaiterID) -> [Action] {
            if phase.hasEnded { return [.resume([waiter], .phase(phase))] }
            endWaiters.append(waiter)
            return []
        }

        /// Wakes `waiter` when checkpoint `id` is no longer in flight (at once if it is not).
        mutating func waitForCheckpoint(_ id: CheckpointID, _ waiter: WaiterID) -> [Action] {
            guard let i = pending.firstIndex(where: { $0.trigger.id == id }) else { return [.resume([waiter], .phase(phase))] }
            pending[i].waiters.append(waiter)
            return []
        }

        /// `waiter`'s task was cancelled: forget it and wake it.
        mutating func cancel(_ waiter: WaiterID) -> [Action] {
            var found = false
            func drop(_ list: inout [WaiterID]) {
                if let i = list.firstIndex(of: waiter) {
                    list.remove(at: i)
                    found = true
                }
            }
            drop(&startWaiters)
            drop(&stopWaiters)
            drop(&endWaiters)
            for i in pending.indices { drop(&pending[i].waiters) }
            if var s = stop {
                drop(&s.waiters)
                stop = s
            }
            if let i = queuedSavepoints.firstIndex(where: { $0.waiter == waiter }) {
                queuedSavepoints.remove(at: i)
                found = true
            }
            return found ? [.resume([waiter], .cancelled)] : []
        }

        private static func wake(_ list: inout [WaiterID], _ wake: Wake) -> [Action] {
            guard !list.isEmpty else { return [] }
            defer { list = [] }
            return [.resume(list, wake)]
        }
    }
}

extension JobStatus.State {
    /// The job no longer runs and will not again in this process.
    var hasEnded: Bool { self == .stopped || self == .finished || self == .failed }
}
