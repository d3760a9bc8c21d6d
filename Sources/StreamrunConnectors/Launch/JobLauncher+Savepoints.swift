import StreamrunCore

extension JobLauncher {
    /// Where the job keeps what belongs to this deployment of it (the control endpoint's address
    /// file among them): `checkpoints.dir` when the job has checkpoints, else `<job dir>/.streamrun/<name>`.
    public var stateDirectory: String {
        plan.spec.checkpoints?.dir ?? options.jobDirectory + "/.streamrun/" + plan.spec.name
    }

    /// Takes a savepoint while the job keeps running and returns its directory once it is complete
    /// (`directory`, or `<job dir>/savepoints/<job name>/sp-<id>`).
    public func savepoint(directory: String? = nil) async throws(StreamrunError) -> String {
        throw StreamrunError(.usage, "savepoints are not implemented yet")
    }

    /// Stops the job. With checkpoints it takes a final checkpoint (a savepoint too, when asked),
    /// emits nothing after it and returns once it is committed, so a later run continues exactly
    /// there; returns the savepoint's directory.
    public func stop(savepoint: Bool, directory: String? = nil) async throws(StreamrunError) -> String? {
        throw StreamrunError(.usage, "stop is not implemented yet")
    }
}
