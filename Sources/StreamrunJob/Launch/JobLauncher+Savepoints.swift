import StreamrunCheckpoint
import StreamrunCore

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
        let root = directory ?? defaultSavepointRoot
        while true {
            guard let (runner, coord) = attempt(), let coord, state == .running else {
                throw StreamrunError(.usage, "job \"\(plan.spec.name)\" is \(state.rawValue): no savepoint can be taken now", retry: .transient)
            }
            if let id = coord.trigger(runner, savepointRoot: root) { return try await waitForSavepoint(id) }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops the job. With checkpoints it takes a final checkpoint (written as a savepoint too when
    /// `savepoint` is set), emits nothing after it and returns once it is durable and its output
    /// committed, so a later run continues exactly there; returns the savepoint's directory.
    /// Without checkpoints the job drains and commits (no savepoint is possible).
    public func stop(savepoint: Bool, directory: String? = nil) async throws(StreamrunError) -> String? {
        if savepoint {
            try requireCheckpoints("stop --savepoint")
            setStopSavepointRoot(directory ?? defaultSavepointRoot)
        }
        let before = history.entries.last?.id ?? 0
        requestStop()
        guard savepoint else {
            while !ended { try? await Task.sleep(for: .milliseconds(5)) }
            return nil
        }
        // The stop checkpoint is the newest one triggered after the request.
        while true {
            if let e = history.entries.last(where: { $0.id > before && $0.kind == "savepoint" }) { return try await waitForSavepoint(e.id) }
            if ended {
                throw StreamrunError(.usage, "job \"\(plan.spec.name)\" ended before its savepoint was taken"
                    + (history.lastCompleted.map { "; its last checkpoint is \($0.id)" } ?? ""))
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func waitForSavepoint(_ id: Int64) async throws(StreamrunError) -> String {
        while true {
            if let e = history.entry(id) {
                switch e.status {
                case .completed:
                    if let path = e.path { return path }
                case .failed:
                    throw StreamrunError(.writeFailed, "savepoint \(id) failed: \(e.failure ?? "unknown error")", retry: .transient)
                case .abandoned:
                    throw StreamrunError(.internalError, "savepoint \(id) was abandoned (the job is stopping or restarting)", retry: .transient)
                case .inProgress:
                    break
                }
            }
            let now = state
            if now == .failed || now == .restarting || now == .finished {
                if let e = history.entry(id), e.status == .completed, let path = e.path { return path }
                throw StreamrunError(.internalError, "savepoint \(id) was not completed: the job is \(now.rawValue)", retry: .transient)
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The job is no longer running (stopped, finished or failed).
    var ended: Bool { [.stopped, .finished, .failed].contains(state) }

    private func requireCheckpoints(_ what: String) throws(StreamrunError) {
        if plan.spec.checkpoints == nil {
            throw StreamrunError(.usage, "job \"\(plan.spec.name)\" has no checkpoints section, so \(what) is not possible; "
                + "add \"checkpoints\": {\"dir\": ...} to job.json", location: "checkpoints")
        }
    }
}
