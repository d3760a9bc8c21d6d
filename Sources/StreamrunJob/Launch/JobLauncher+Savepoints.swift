import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO

extension JobLauncher {
    /// Where the job keeps what belongs to this deployment of it (the control endpoint's address
    /// file among them): `checkpoints.dir` when the job has checkpoints, else `<job dir>/.streamrun/<name>`.
    public var stateDirectory: String {
        plan.spec.checkpoints?.dir ?? options.jobDirectory + "/.streamrun/" + plan.spec.name
    }

    /// Where savepoints go by default: `<job dir>/savepoints/<job name>`.
    public var defaultSavepointRoot: String { options.jobDirectory + "/savepoints/" + plan.spec.name }

    /// Takes a savepoint while the job keeps running and returns its directory once it is complete:
    /// `<root>/sp-<checkpoint id>` where root is `directory` or ``defaultSavepointRoot``. Waits for a
    /// checkpoint in flight to complete first.
    public func savepoint(directory: String? = nil) async throws(StreamrunError) -> String {
        try requireCheckpoints("a savepoint")
        return try savepointPath(await lifecycle.savepoint(root: directory ?? defaultSavepointRoot))
    }

    /// Stops the job. With checkpoints it takes a final checkpoint (written as a savepoint too when
    /// `savepoint` is set), emits nothing after it and returns once it is durable and its output
    /// committed, so a later run continues exactly there; returns the savepoint's directory.
    /// Without checkpoints the job drains and commits (no savepoint is possible).
    public func stop(savepoint: Bool, directory: String? = nil) async throws(StreamrunError) -> String? {
        if savepoint { try requireCheckpoints("stop --savepoint") }
        let wake = await lifecycle.stop(savepointRoot: savepoint ? directory ?? defaultSavepointRoot : nil)
        guard savepoint else { return nil }
        if case .phase(let phase) = wake {
            throw StreamrunError(.usage, "job \"\(plan.spec.name)\" \(phase == .failed ? "failed" : "ended") before its savepoint was taken"
                + (history.lastCompleted.map { "; its last checkpoint is \($0.id)" } ?? ""))
        }
        return try savepointPath(wake)
    }

    /// The savepoint directory a wait ended with, or the error that says why there is none.
    private func savepointPath(_ wake: JobLifecycle.Wake) throws(StreamrunError) -> String {
        switch wake {
        case .checkpoint(_, .completed(let path?)):
            return path
        case .checkpoint(let id, .completed(nil)):
            throw StreamrunError(.internalError, "checkpoint \(id) completed without its savepoint", retry: .internal)
        case .checkpoint(let id, .failed(let reason)):
            throw StreamrunError(.writeFailed, "savepoint \(id) failed: \(reason)", retry: .transient)
        case .checkpoint(let id, .abandoned(let reason)):
            throw StreamrunError(.internalError, "savepoint \(id) was abandoned (\(reason))", retry: .transient)
        case .refused(let phase), .phase(let phase):
            throw StreamrunError(.usage, "job \"\(plan.spec.name)\" is \(phase.rawValue): no savepoint can be taken now", retry: .transient)
        case .cancelled:
            throw StreamrunError(.internalError, "the savepoint request was cancelled", retry: .transient)
        }
    }

    private func requireCheckpoints(_ what: String) throws(StreamrunError) {
        if plan.spec.checkpoints == nil {
            throw StreamrunError(.usage, "job \"\(plan.spec.name)\" has no checkpoints section, so \(what) is not possible; "
                + "add \"checkpoints\": {\"dir\": ...} to job.json", location: "checkpoints")
        }
    }
}

extension JobLauncher {
    /// Takes the exclusive lock on ``stateDirectory``, so that no second process runs this job on
    /// the same checkpoints (or writes the same control.json) at the same time. Does nothing when
    /// this launcher holds it already.
    ///
    /// - Important: Throws ``StreamrunError/Code/alreadyRunning``, naming what `holder` says of the
    ///   other process (its pid and address, from its control.json).
    public func acquireLock(holder: () -> String? = { nil }) throws(StreamrunError) {
        if holdsLock { return }
        switch try DirectoryLock.acquire(directory: stateDirectory) {
        case .acquired(let l):
            lock.withLock { $0 = l }
        case .held:
            throw StreamrunError(.alreadyRunning, "job \"\(plan.spec.name)\" is already running" + (holder().map { " (\($0))" } ?? ""))
        }
    }

    /// Releases the lock; a job without checkpoints leaves no state directory behind.
    public func releaseLock() {
        let l = lock.withLock { l -> DirectoryLock? in
            defer { l = nil }
            return l
        }
        l?.release(removeDirectoryIfEmpty: plan.spec.checkpoints == nil)
        if plan.spec.checkpoints == nil { try? FileIO.removeDirectory(FileIO.parent(of: stateDirectory)) }
    }

    var holdsLock: Bool { lock.withLock { $0 != nil } }

    /// Checkpoint and savepoint directories without a manifest, left by a crash or a failure: no
    /// checkpoint can be in progress while this process holds the lock.
    func removeIncompleteAttempts() throws(StreamrunError) {
        guard let spec = plan.spec.checkpoints else { return }
        try CheckpointStore(root: spec.dir).removeIncomplete()
        try CheckpointStore(root: defaultSavepointRoot, prefix: CheckpointPaths.savepointPrefix).removeIncomplete()
    }
}

extension StreamrunError.Code {
    /// Another process runs the job on the same state directory.
    public static let alreadyRunning = StreamrunError.Code("already-running")
    /// A stop took longer than its timeout and the job was cancelled.
    public static let stopTimedOut = StreamrunError.Code("stop-timed-out")
}
