import StreamrunCore

/// What one operator or source subtask captured at a checkpoint, keyed so state can be redistributed
/// when rescaling: per key group, plus named non-keyed parts (source offsets, watermarks).
public struct SnapshotPayload: Sendable, Hashable {
    public var keyGroups: [Int: [UInt8]]
    public var named: [String: [UInt8]]

    public init(keyGroups: [Int: [UInt8]] = [:], named: [String: [UInt8]] = [:]) {
        self.keyGroups = keyGroups
        self.named = named
    }
}

/// One subtask of one node: the unit that acknowledges a checkpoint.
public struct SubtaskID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var node: NodeID
    public var subtask: Int

    public init(node: NodeID, subtask: Int) {
        self.node = node
        self.subtask = subtask
    }

    public static func < (a: SubtaskID, b: SubtaskID) -> Bool { (a.node, a.subtask) < (b.node, b.subtask) }
    public var description: String { "\(node)#\(subtask)" }
}

/// The coordinator's bookkeeping: which checkpoint is in flight and who has acknowledged it.
///
/// A checkpoint completes when every subtask that has not finished has acknowledged it. A subtask that
/// finished (its input ended) cannot see later barriers, so it stops being waited for; its final state
/// (taken when it finished) is part of every later checkpoint, as in Flink's FLIP-147. At most one
/// checkpoint is in flight; triggering another while one is pending abandons the pending one.
/// A pure state machine.
public struct CheckpointTracker: Sendable {
    public struct Completed: Sendable {
        public var id: CheckpointID
        public var states: [SubtaskID: SnapshotPayload]
    }

    let all: Set<SubtaskID>
    var finished: [SubtaskID: SnapshotPayload] = [:]
    public private(set) var lastTriggered: CheckpointID = 0
    public private(set) var lastCompleted: CheckpointID = 0
    var pending: CheckpointID?
    var acks: [SubtaskID: SnapshotPayload] = [:]

    /// - Parameter after: the highest checkpoint id already used (ids are never reused).
    public init(subtasks: Set<SubtaskID>, after: CheckpointID = 0) {
        all = subtasks
        lastTriggered = after
        lastCompleted = after
    }

    /// Starts checkpoint `lastTriggered + 1`; returns its id and the one it abandoned, if any.
    public mutating func trigger() -> (id: CheckpointID, abandoned: CheckpointID?) {
        let abandoned = pending
        _ = trigger(lastTriggered.next)
        return (lastTriggered, abandoned)
    }

    /// Starts checkpoint `id` (chosen by the coordinator), abandoning a pending one. An id not above
    /// the last triggered one is stale (a newer checkpoint was triggered first) and ignored:
    /// returns false.
    public mutating func trigger(_ id: CheckpointID) -> Bool {
        guard id > lastTriggered else { return false }
        lastTriggered = id
        pending = id
        acks = [:]
        return true
    }

    public var inFlight: CheckpointID? { pending }

    /// Gives up checkpoint `id` if it is still in flight (timed out); late acknowledgements are ignored.
    public mutating func abandon(_ id: CheckpointID) {
        guard pending == id else { return }
        pending = nil
        acks = [:]
    }

    /// `task` captured `state` for checkpoint `id`. Returns the checkpoint if this completed it.
    public mutating func acknowledge(_ id: CheckpointID, task: SubtaskID, state: SnapshotPayload) -> Completed? {
        guard id == pending else { return nil }  // abandoned or unknown
        acks[task] = state
        return completeIfDone()
    }

    /// `task` finished with `state`: later checkpoints do not wait for it and carry this state.
    public mutating func finished(_ task: SubtaskID, state: SnapshotPayload = SnapshotPayload()) -> Completed? {
        finished[task] = state
        return completeIfDone()
    }

    /// Every subtask has finished.
    public var allFinished: Bool { all.allSatisfy { finished[$0] != nil } }

    /// The checkpoint that records the end of the job: every subtask's final state, as `id` (by
    /// default the next id).
    public mutating func finalCheckpoint(id: CheckpointID? = nil) -> Completed {
        lastTriggered = max(lastTriggered.next, id ?? 0)
        pending = nil
        lastCompleted = lastTriggered
        return Completed(id: lastTriggered, states: finished)
    }

    private mutating func completeIfDone() -> Completed? {
        guard let id = pending else { return nil }
        for t in all where acks[t] == nil && finished[t] == nil { return nil }
        pending = nil
        lastCompleted = id
        defer { acks = [:] }
        var states = acks
        for (t, s) in finished where states[t] == nil { states[t] = s }
        return Completed(id: id, states: states)
    }
}
