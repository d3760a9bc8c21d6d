import StreamrunCore

/// One sink of a job as the engine sees it: a writer per subtask, and the commit of what the
/// writers prepared at each checkpoint — Flink's `TwoPhaseCommittingSink` (`prepareCommit` on the
/// writer, a `Committer` for the sink). Every sink implements it; the launcher and the checkpoint
/// coordinator call nothing else, so file names, in-progress files, SQL or transaction ids stay
/// inside the sink.
///
/// For each checkpoint *n*:
/// 1. **Prepare.** When barrier *n* reaches a writer subtask, its
///    ``StreamOperator/snapshotState(checkpoint:context:)`` makes what it wrote since *n − 1* durable
///    but not yet visible and returns the *committables* in its snapshot: the pending files of a
///    file sink, the staged rows or transaction of a database sink.
/// 2. **Persist.** The coordinator writes every subtask's snapshot, committables included, into
///    checkpoint *n*, which exists once its manifest is published.
/// 3. **Commit.** Only then does the coordinator call ``commit(_:checkpoint:)`` with the writers'
///    snapshots of *n*, which makes them visible — a rename, or one database transaction that also
///    records *n* as committed.
/// 4. **Recover.** Before a resumed job runs, ``recover(_:checkpoint:)`` gets the snapshots of the
///    checkpoint it resumes from: it commits them (a crash may have come between 2 and 3) and
///    aborts everything written after them, so the resumed run writes the same output again.
///
/// Without checkpoints the writers' final snapshots, taken when every writer has finished, are
/// committed once at the end of the run, and ``abort()`` undoes a failed run.
///
/// - Important: ``commit(_:checkpoint:)`` and ``recover(_:checkpoint:)`` must be idempotent: the
///   same committables may be handed over again after a crash or restart. A commit that fails says
///   whether trying again can help through its error's retry class (`transient`: the job restarts
///   from the last checkpoint and commits again; `user`: the destination was changed under it).
public protocol TwoPhaseCommitSink: AnyObject, Sendable {
    /// The sink's id in job.json.
    var id: NodeID { get }

    /// Checks the destination before any record moves (a directory that can be written, a database
    /// that answers), creating what the sink needs. Throws a user error naming the sink's setting.
    func preflight() throws(StreamrunError)

    /// The run restores no checkpoint — the job has none yet, or `--fresh` forgot them: throws if
    /// the destination already holds committed output of this sink, which the run would mix with
    /// its own, unless the sink was told to overwrite (then its first commit replaces that output).
    func startFresh(_ reason: FreshStart) throws(StreamrunError)

    /// Before the run: commits what the checkpoint resumed from prepared, and aborts whatever was
    /// written after it. `prepared` holds every subtask of the checkpoint, at the parallelism it was
    /// taken with. Called at most once per run, before any ``makeWriter(subtask:parallelism:)``.
    func recover(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError)

    /// The writer of one subtask: an operator that writes batches and prepares its committables at
    /// every barrier. Called inside that subtask's task.
    func makeWriter(subtask: Int, parallelism: Int) throws(StreamrunError) -> any StreamOperator

    /// Checkpoint `checkpoint` is durable: makes visible what its writers prepared (`prepared`
    /// holds the snapshot of every writer subtask).
    func commit(_ prepared: [PreparedCommit], checkpoint: CheckpointID) throws(StreamrunError)

    /// A run without checkpoints failed: removes everything its writers wrote and nothing committed.
    func abort()

    /// What this sink made visible during this run: how many, and of what (`file`, `transaction`).
    var committed: (count: Int, unit: String) { get }
}

/// Why a run restores no checkpoint.
public enum FreshStart: Sendable {
    /// `--fresh`: the checkpoints were forgotten on request.
    case fresh
    /// There is no checkpoint to resume from (or the job takes none).
    case first
}

/// What one writer subtask prepared for a checkpoint: its snapshot, which holds its committables.
public struct PreparedCommit: Sendable {
    public var subtask: Int
    public var state: SnapshotPayload

    public init(subtask: Int, state: SnapshotPayload) {
        self.subtask = subtask
        self.state = state
    }
}

extension CheckpointTracker.Completed {
    /// What the writer subtasks of sink `node` prepared for this checkpoint, in subtask order.
    public func prepared(for node: NodeID) -> [PreparedCommit] {
        states.filter { $0.key.node == node }.sorted { $0.key < $1.key }.map { PreparedCommit(subtask: $0.key.subtask, state: $0.value) }
    }
}
