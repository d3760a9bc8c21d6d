import Logging
import StreamrunCheckpoint
import StreamrunConnectors
import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// One dead-letter replay being run, from ``DeadLetterReplay/start(_:logger:)`` to ``finish(_:)``.
/// It holds the lock of its ``ReplayNamespace`` until ``release()``, so no second `dlq replay` runs
/// it at the same time.
///
/// Run ``launcher`` like any job (the CLI runs it as `streamrun job.json` does, with its control
/// endpoint and signals), then call ``finish(_:)`` with its summary: once the run has finished its
/// input, the replay's `done` marker is published and the replay will not run again.
public final class ReplayRun: Sendable {
    public let id: String
    /// The replay run: the job as ``JobSpec/replaying(_:generation:jobDirectory:)`` makes it. Nil when there is
    /// nothing to run: the replay finished meanwhile (``report`` says so), or it holds no record
    /// that can be replayed.
    public let launcher: JobLauncher?
    /// Set when there is nothing to run.
    public let report: ReplayReport?
    let namespace: ReplayNamespace
    let record: ReplayRecord
    let lock: DirectoryLock
    /// The dead-letter sinks of the replay run: where records still bad go.
    let deadLetterSinks: [SinkSpec]

    init(namespace: ReplayNamespace, record: ReplayRecord, lock: DirectoryLock, launcher: JobLauncher?, deadLetterSinks: [SinkSpec],
         report: ReplayReport?) {
        id = namespace.id
        self.namespace = namespace
        self.record = record
        self.lock = lock
        self.launcher = launcher
        self.deadLetterSinks = deadLetterSinks
        self.report = report
    }

    /// What the replay is about to do, for the log: the records, the sources, and where records still
    /// bad will go.
    public var announcement: String {
        let sources = record.sources.map { "\($0.source) (\($0.records))" }.joined(separator: ", ")
        return "replay \(id) of \(record.dlq): \(ReplayReport.plural(record.replayed, "record")) for sources \(sources); "
            + "records still bad go to " + ReplayReport.paths(deadLetterSinks.compactMap(\.path)) + " (state in \(namespace.root))"
    }

    /// Ends the replay after its run: publishes its `done` marker when the run finished its input
    /// (counting the records that were bad again in the new dead-letter generation), or reports where
    /// a stopped run will continue.
    public func finish(_ summary: RunSummary?) throws(StreamrunError) -> ReplayReport {
        if let stopped = summary?.stoppedAtCheckpoint { return .stopped(id: id, checkpoint: stopped.value) }
        var checkpoint = summary?.checkpoints.last(where: { $0.status == .completed })?.id.value
        if checkpoint == nil, launcher?.plan.spec.checkpoints != nil {
            checkpoint = try CheckpointStore(root: namespace.checkpointsDirectory).list().last { $0.status == .complete }?.id.value
        }
        let done = ReplayDone(checkpoint: checkpoint, stillBad: try stillBad(), deadLetterPaths: deadLetterSinks.compactMap(\.path))
        try done.write(to: namespace.donePath)
        return .finished(record: record, done: done, directory: namespace.root)
    }

    /// Releases the replay directory's lock.
    public func release() { lock.release() }

    /// Records in the part files this replay committed to its dead-letter sinks (non-empty lines, less
    /// a CSV header per file).
    func stillBad() throws(StreamrunError) -> Int {
        var n = 0
        for sink in deadLetterSinks {
            guard let root = sink.path else { continue }
            for file in PartFileNames.committedFiles(root: root, sinkID: sink.id, tag: namespace.tag, fileExtension: sink.format.rawValue) {
                let bytes = try FileIO.readAll(file) ?? []
                var lines = bytes.split(separator: UInt8(ascii: "\n")).count
                if sink.format == .csv && sink.header && lines > 0 { lines -= 1 }
                n += lines
            }
        }
        return n
    }
}

extension DeadLetterReplay {
    /// Prepares `step` to run: takes its directory's lock; for a new replay, publishes its input files
    /// and then `replay.json` (each atomically), unless another `dlq replay` prepared it meanwhile;
    /// and builds the replay run's launcher from the job as ``JobSpec/replaying(_:generation:jobDirectory:)`` makes it.
    ///
    /// - Important: Throws `already-running` while another `dlq replay` holds the replay.
    public func start(_ step: Step, logger: Logger) throws(StreamrunError) -> ReplayRun {
        let ns = step.namespace
        let lock = try ns.lock()
        do {
            return try start(step, lock: lock, logger: logger)
        } catch {
            lock.release()
            throw error
        }
    }

    private func start(_ step: Step, lock: DirectoryLock, logger: Logger) throws(StreamrunError) -> ReplayRun {
        let ns = step.namespace
        let spec = plan.spec.replaying(ns, generation: step.record.generation, jobDirectory: jobDirectory)
        let deadLetterSinks = spec.sinks.filter { plan.spec.deadLetterSinkIDs.contains($0.id) && $0.kind == .file }
        for sink in deadLetterSinks {
            if let path = sink.path, Self.overlaps(path, dlq) {
                throw StreamrunError(.usage, "records still bad would go to \(path), which holds the queue being replayed; "
                    + "replay a copy of it, or give the dead-letter sink \"\(sink.id)\" another path", location: dlq)
            }
        }
        // Under the lock: another `dlq replay` may have prepared or finished this replay meanwhile.
        let record = try ReplayRecord.read(ns.recordPath) ?? step.record
        if let done = try ReplayDone.read(ns.donePath) {
            return ReplayRun(namespace: ns, record: record, lock: lock, launcher: nil, deadLetterSinks: deadLetterSinks,
                             report: .alreadyReplayed(dlq: dlq, [(record, done)]))
        }
        let prepared = FileIO.exists(ns.recordPath)
        for source in plan.spec.sources {
            let format = source.kind == .generator ? DataFormat.jsonl : source.format
            let path = ns.input(source: source.id, format: format)
            // A prepared replay keeps its input files (its checkpoints hold offsets into them); a source
            // the job has gained since reads an empty file.
            if prepared && FileIO.exists(path) { continue }
            try ReplayNamespace.publish(prepared ? [] : step.inputs?[source.id] ?? [], to: path)
        }
        if !prepared { try record.write(to: ns.recordPath) }
        var replayPlan = try JobValidator.validate(spec, file: "job.json (as replayed)")
        replayPlan.sourceText = plan.sourceText
        guard record.replayed > 0 else {
            // Nothing a source refused whole: the replay is done without a run.
            let done = ReplayDone(checkpoint: nil, stillBad: 0, deadLetterPaths: deadLetterSinks.compactMap(\.path))
            try done.write(to: ns.donePath)
            return ReplayRun(namespace: ns, record: record, lock: lock, launcher: nil, deadLetterSinks: deadLetterSinks,
                             report: .finished(record: record, done: done, directory: ns.root))
        }
        var options = JobLauncher.Options(jobDirectory: jobDirectory)
        // Without checkpoints a replay that did not finish runs again from the start: it replaces the
        // part files of its own tag it committed before (and no others).
        options.overwrite = replayPlan.spec.checkpoints == nil
        return ReplayRun(namespace: ns, record: record, lock: lock, launcher: JobLauncher(plan: replayPlan, options: options, logger: logger),
                         deadLetterSinks: deadLetterSinks, report: nil)
    }

    /// Whether `a` and `b` name the same directory or one lies inside the other (by name, made absolute).
    static func overlaps(_ a: String, _ b: String) -> Bool {
        let (x, y) = (FileIO.absolute(a), FileIO.absolute(b))
        return x == y || x.hasPrefix(y == "/" ? y : y + "/") || y.hasPrefix(x == "/" ? x : x + "/")
    }
}
