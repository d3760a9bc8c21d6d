import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime
import Synchronization

/// The `file` sink: part files named by ``PartFileNames``, published by rename (Flink's FileSink).
///
/// Its side of ``TwoPhaseCommitSink``: a writer (``FileSinkWriter``) writes each subtask's rows
/// under hidden in-progress names and, at a barrier, closes and fsyncs them; they are then
/// *pending*, and the writer's snapshot lists them (``FileSinkState``). ``commit(_:checkpoint:)``
/// renames a checkpoint's pending files to their final names (renaming twice is a no-op);
/// ``recover(_:checkpoint:)`` publishes the restored checkpoint's pending files and removes every
/// file of this sink written after it.
public final class FileSink: TwoPhaseCommitSink {
    public let id: NodeID
    let plan: SinkPlan
    let schema: Schema
    let committer = FileCommitter()
    /// Next sequence number per subtask index and partition directory, from the checkpoint this run
    /// resumed from (see ``FileSinkState``); set by ``recover(_:checkpoint:)``.
    private let restoredSequences = Mutex<[Int: [String: Int]]>([:])
    /// Replace the output of an earlier run at the first commit instead of refusing to start.
    let overwrite: Bool
    /// Part files of an earlier run that the first commit removes (`overwrite`).
    private let replaceOnFirstCommit = Mutex<[String]>([])

    public init(id: NodeID, plan: SinkPlan, schema: Schema, overwrite: Bool = false) {
        self.overwrite = overwrite
        self.id = id
        self.plan = plan
        self.schema = schema
    }

    var root: String { plan.spec.path ?? "." }
    var fileExtension: String { plan.spec.format.rawValue }
    /// The tag in this run's part-file names (a dead-letter replay's); every listing below considers
    /// only files of this tag.
    var tag: String? { plan.spec.partTag }

    public func preflight() throws(StreamrunError) {
        do {
            try FileIO.makeDirectories(root)
        } catch {
            throw StreamrunError(.writeFailed, error.message, location: plan.spec.jsonPath + ".path")
        }
        if let why = FileIO.cannotWrite(in: root) {
            throw StreamrunError(.writeFailed, "cannot write to directory \(root): \(why)", location: plan.spec.jsonPath + ".path")
        }
    }

    public func startFresh(_ reason: FreshStart) throws(StreamrunError) {
        // In-progress files of this sink are a crashed run's (the job holds its lock): nobody will
        // commit them.
        if FileIO.isDirectory(root) {
            for (dir, name) in FileIO.files(below: root) where PartFileNames.parseInProgress(name, sinkID: id.name, tag: tag) != nil {
                FileIO.unlink(dir + "/" + name)
            }
        }
        let earlier = committedFiles()
        guard let first = earlier.first else { return }
        if overwrite {
            replaceOnFirstCommit.withLock { $0 = earlier }
            return
        }
        switch reason {
        case .fresh:
            throw StreamrunError(.usage, "--fresh: \(root) already holds committed output of sink \"\(id)\"; "
                + "remove it (or choose another path) before starting over", location: plan.spec.jsonPath + ".path")
        case .first:
            let name = first.hasPrefix(root + "/") ? String(first.dropFirst(root.count + 1)) : first
            throw StreamrunError(.usage, "\(root) already holds \(earlier.count) part file\(earlier.count == 1 ? "" : "s") of sink \"\(id)\" "
                + "from an earlier run (\(name)\(earlier.count > 1 ? ", …" : "")), which this run would mix with its own; "
                + "remove them, or run with --overwrite to replace them", location: plan.spec.jsonPath + ".path")
        }
    }

    /// Every committed part file of this sink (with this run's tag) below its directory.
    func committedFiles() -> [String] {
        PartFileNames.committedFiles(root: root, sinkID: id.name, tag: tag, fileExtension: fileExtension)
    }

    public func makeWriter(subtask: Int, parallelism: Int) throws(StreamrunError) -> any StreamOperator {
        let encoding = SinkEncoding(sink: plan, schema: schema)
        let names = PartFileNames(root: root, sinkID: id.name, tag: tag, subtask: subtask, fileExtension: encoding.fileExtension,
                                  partitionKey: plan.spec.partitionKey)
        let writer = FileSinkWriter(names: names, encoder: encoding, partition: plan.partition, rollBytes: plan.spec.rollBytes,
                                    committer: committer)
        writer.restoredSequences = restoredSequences.withLock { $0 }
        return writer
    }

    public func commit(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError) {
        var pending: [FileCommitter.Pending] = []
        for p in prepared { pending += try FileSinkState(payload: p.state.named, subtask: p.subtask).pending }
        // `--overwrite`: the first commit removes this sink's files of the earlier run (and no
        // others); a file this commit publishes under the same name is replaced by the rename.
        let replaced = Set(pending.map(\.final))
        for old in replaceOnFirstCommit.withLock({ l -> [String] in
            defer { l = [] }
            return l
        }) where !replaced.contains(old) {
            try FileIO.remove(old)
        }
        try committer.commit(pending, through: checkpoint)
    }

    public func abort() { committer.abortAll() }

    func setRestoredSequences(_ sequences: [Int: [String: Int]]) { restoredSequences.withLock { $0 = sequences } }

    public var committed: (count: Int, unit: String) { (committer.committedCount, "file") }
}
