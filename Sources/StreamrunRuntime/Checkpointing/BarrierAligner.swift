import StreamrunCore

/// Aligns checkpoint barriers across a task's inputs (Flink's aligned checkpoints).
///
/// When barrier `n` arrives on an input, that input is blocked — what follows belongs to the next
/// checkpoint — until barrier `n` has arrived on every input that has not ended. Then the task
/// snapshots its operators, forwards the barrier and unblocks all inputs. A pure state machine: the
/// caller performs the returned actions (blocking gate inputs, snapshotting).
///
/// At most one checkpoint is aligned at a time. A barrier with a higher id than the one being aligned
/// means the coordinator abandoned the older checkpoint: its alignment is dropped and the new one starts.
/// Barriers older than the last completed or current alignment are ignored.
public struct BarrierAligner: Sendable {
    public enum Action: Sendable, Equatable {
        /// Hold back this input until the checkpoint is aligned.
        case block(input: Int)
        /// Every live input delivered the barrier: snapshot now, forward the barrier, unblock `inputs`.
        case aligned(checkpoint: CheckpointID, unblock: [Int])
        /// An older alignment was abandoned: unblock these inputs (the new barrier's action follows).
        case abandoned(checkpoint: CheckpointID, unblock: [Int])
    }

    let inputs: Int
    var ended: [Bool]
    public private(set) var current: CheckpointID?
    var arrived: [Bool]
    public private(set) var lastAligned: CheckpointID = 0

    public init(inputs: Int) {
        self.inputs = inputs
        ended = Array(repeating: false, count: inputs)
        arrived = Array(repeating: false, count: inputs)
    }

    /// Barrier `id` arrived on `input`.
    public mutating func barrier(_ id: CheckpointID, input: Int) -> [Action] {
        if id <= lastAligned { return [] }
        var actions: [Action] = []
        if let c = current {
            if id < c { return [] }
            if id > c {
                actions.append(.abandoned(checkpoint: c, unblock: blockedInputs()))
                reset()
            }
        }
        current = id
        arrived[input] = true
        if let done = completeIfAligned() { actions.append(done) } else { actions.append(.block(input: input)) }
        return actions
    }

    /// `input` ended: it can send no barrier, so it no longer holds an alignment back.
    public mutating func endOfInput(_ input: Int) -> [Action] {
        ended[input] = true
        guard current != nil, let done = completeIfAligned() else { return [] }
        return [done]
    }

    private mutating func completeIfAligned() -> Action? {
        guard let c = current else { return nil }
        for i in 0..<inputs where !ended[i] && !arrived[i] { return nil }
        let unblock = blockedInputs()
        lastAligned = c
        reset()
        return .aligned(checkpoint: c, unblock: unblock)
    }

    private func blockedInputs() -> [Int] { (0..<inputs).filter { arrived[$0] } }

    private mutating func reset() {
        current = nil
        for i in 0..<inputs { arrived[i] = false }
    }
}
