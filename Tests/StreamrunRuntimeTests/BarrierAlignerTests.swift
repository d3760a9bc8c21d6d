import Testing

@testable import StreamrunRuntime

@Suite struct BarrierAlignerTests {
    @Test func singleInputAlignsAtOnce() {
        var a = BarrierAligner(inputs: 1)
        #expect(a.barrier(1, input: 0) == [.aligned(checkpoint: 1, unblock: [0])])
    }

    @Test func blocksEachInputUntilAllArrived() {
        var a = BarrierAligner(inputs: 3)
        #expect(a.barrier(1, input: 2) == [.block(input: 2)])
        #expect(a.barrier(1, input: 0) == [.block(input: 0)])
        #expect(a.barrier(1, input: 1) == [.aligned(checkpoint: 1, unblock: [0, 1, 2])])
        #expect(a.current == nil)
        #expect(a.lastAligned == 1)
    }

    @Test func endedInputsDoNotHoldAlignmentBack() {
        var a = BarrierAligner(inputs: 2)
        #expect(a.barrier(4, input: 0) == [.block(input: 0)])
        #expect(a.endOfInput(1) == [.aligned(checkpoint: 4, unblock: [0])])
        #expect(a.barrier(5, input: 0) == [.aligned(checkpoint: 5, unblock: [0])])
    }

    @Test func newerBarrierAbandonsOlderAlignment() {
        var a = BarrierAligner(inputs: 2)
        _ = a.barrier(1, input: 0)
        #expect(a.barrier(2, input: 1) == [.abandoned(checkpoint: 1, unblock: [0]), .block(input: 1)])
        #expect(a.barrier(1, input: 0) == [])  // stale
        #expect(a.barrier(2, input: 0) == [.aligned(checkpoint: 2, unblock: [0, 1])])
        #expect(a.barrier(2, input: 1) == [])  // already aligned
    }
}

@Suite struct CheckpointTrackerTests {
    let a = SubtaskID(node: "src", subtask: 0), b = SubtaskID(node: "sink", subtask: 0)

    @Test func completesWhenEverySubtaskAcknowledged() {
        var t = CheckpointTracker(subtasks: [a, b])
        let (id, abandoned) = t.trigger()
        #expect(id == 1 && abandoned == nil)
        #expect(t.acknowledge(1, task: a, state: SnapshotPayload(named: ["x": [1]])) == nil)
        let done = t.acknowledge(1, task: b, state: SnapshotPayload())
        #expect(done?.id == 1)
        #expect(done?.states[a]?.named["x"] == [1])
        #expect(t.lastCompleted == 1)
        #expect(t.inFlight == nil)
    }

    @Test func finishedSubtasksAreNotWaitedFor() {
        var t = CheckpointTracker(subtasks: [a, b])
        _ = t.trigger()
        #expect(t.acknowledge(1, task: b, state: SnapshotPayload()) == nil)
        #expect(t.finished(a)?.id == 1)
    }

    @Test func triggeringAgainAbandonsThePendingOne() {
        var t = CheckpointTracker(subtasks: [a, b])
        _ = t.trigger()
        _ = t.acknowledge(1, task: a, state: SnapshotPayload())
        #expect(t.trigger() == (2, 1))
        #expect(t.acknowledge(1, task: b, state: SnapshotPayload()) == nil)  // late ack for the abandoned one
        _ = t.acknowledge(2, task: a, state: SnapshotPayload())
        #expect(t.acknowledge(2, task: b, state: SnapshotPayload())?.id == 2)
    }
}

extension CheckpointTracker.Completed: Equatable {
    public static func == (l: Self, r: Self) -> Bool { l.id == r.id && l.states == r.states }
}
