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
    public var node: String
    public var subtask: Int

    public init(node: String, subtask: Int) {
        self.node = node
        self.subtask = subtask
    }

    public static func < (a: SubtaskID, b: SubtaskID) -> Bool { (a.node, a.subtask) < (b.node, b.subtask) }
    public var description: String { "\(node)#\(subtask)" }
}

/// The coordinator's bookkeeping: which checkpoint is in flight and who has acknowledged it.
///
/// A checkpoint completes when every subtask that has not finished has acknowledged it. A subtask that
/// finished (its input ended) cannot see later barriers, so it stops being waited for. At most one
/// checkpoint is in flight; triggering another while one is pending abandons the pending one.
/// A pure state machine.
public struct CheckpointTracker: Sendable {
    public struct Completed: Sendable {
        public var id: Int64
        public var states: [SubtaskID: SnapshotPayload]
    }

    let all: Set<SubtaskID>
    var finished: Set<SubtaskID> = []
    public private(set) var lastTriggered: Int64 = 0
    public private(set) var lastCompleted: Int64 = 0
    var pending: Int64?
    var acks: [SubtaskID: SnapshotPayload] = [:]

    public init(subtasks: Set<SubtaskID>) { all = subtasks }

    /// Starts checkpoint `lastTriggered + 1`; returns its id and the one it abandoned, if any.
    public mutating func trigger() -> (id: Int64, abandoned: Int64?) {
        let abandoned = pending
        lastTriggered += 1
        pending = lastTriggered
        acks = [:]
        return (lastTriggered, abandoned)
    }

    public var inFlight: Int64? { pending }

    /// `task` captured `state` for checkpoint `id`. Returns the checkpoint if this completed it.
    public mutating func acknowledge(_ id: Int64, task: SubtaskID, state: SnapshotPayload) -> Completed? {
        guard id == pending else { return nil }  // abandoned or unknown
        acks[task] = state
        return completeIfDone()
    }

    /// `task` finished: later checkpoints do not wait for it.
    public mutating func finished(_ task: SubtaskID) -> Completed? {
        finished.insert(task)
        return completeIfDone()
    }

    private mutating func completeIfDone() -> Completed? {
        guard let id = pending else { return nil }
        for t in all where acks[t] == nil && !finished.contains(t) { return nil }
        pending = nil
        lastCompleted = id
        defer { acks = [:] }
        return Completed(id: id, states: acks)
    }
}
