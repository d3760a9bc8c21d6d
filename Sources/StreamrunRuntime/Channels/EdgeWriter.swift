import StreamrunCore
import StreamrunPlan

/// The sending end of one edge from one upstream subtask: routes batches to downstream subtasks' gates.
///
/// Batches are routed whole (forward, rebalance) or split by key group (keyed); watermarks and
/// end-of-input go to every downstream subtask.
final class EdgeWriter {
    struct Target {
        let gate: InputGate
        let input: Int
    }

    let targets: [Target]
    let partitioning: PhysicalPlan.Partitioning
    let maxParallelism: Int
    /// The time this writer's subtask waits for queue space (the upstream node's backpressure time).
    let backpressure: BlockedTime?
    private var nextTarget: Int

    init(targets: [Target], partitioning: PhysicalPlan.Partitioning, maxParallelism: Int, subtask: Int, backpressure: BlockedTime? = nil) {
        self.targets = targets
        self.backpressure = backpressure
        self.partitioning = partitioning
        self.maxParallelism = maxParallelism
        self.nextTarget = subtask % max(targets.count, 1)
    }

    func send(_ batch: RecordBatch) async throws {
        switch partitioning {
        case .forward:
            try await targets[0].gate.send(.records(batch), input: targets[0].input, waited: backpressure)
        case .rebalance:
            let t = targets[nextTarget]
            nextTarget = (nextTarget + 1) % targets.count
            try await t.gate.send(.records(batch), input: t.input, waited: backpressure)
        case .keyed(let fields):
            if targets.count == 1 {
                try await targets[0].gate.send(.records(batch), input: targets[0].input, waited: backpressure)
                return
            }
            let parts = KeyPartitioner.split(batch, fields: fields, maxParallelism: maxParallelism, parallelism: targets.count)
            for (t, part) in zip(targets, parts) where part.count > 0 {
                try await t.gate.send(.records(part), input: t.input, waited: backpressure)
            }
        }
    }

    func sendWatermark(_ w: Watermark) async throws {
        for t in targets { try await t.gate.send(.watermark(w), input: t.input, waited: backpressure) }
    }

    func sendBarrier(_ id: CheckpointID) async throws {
        for t in targets { try await t.gate.send(.barrier(CheckpointBarrier(id: id)), input: t.input, waited: backpressure) }
    }

    func sendIdle() async throws {
        for t in targets { try await t.gate.send(.idle, input: t.input, waited: backpressure) }
    }

    func sendSuspend() async throws {
        for t in targets { try await t.gate.send(.suspend, input: t.input, waited: backpressure) }
    }

    func sendEnd() async throws {
        for t in targets { try await t.gate.send(.endOfInput, input: t.input, waited: backpressure) }
    }
}

/// Splits a batch by the subtask that owns each row's key group.
public enum KeyPartitioner {
    /// One batch per subtask (possibly empty), rows in their original order.
    public static func split(_ batch: RecordBatch, fields: [Int], maxParallelism: Int, parallelism: Int) -> [RecordBatch] {
        let hashes = batch.keyHashes(fields)
        var indices = [[Int32]](repeating: [], count: parallelism)
        for (row, h) in hashes.enumerated() {
            let g = KeyGroups.group(hash: h, maxParallelism: maxParallelism)
            indices[KeyGroups.subtask(group: g, maxParallelism: maxParallelism, parallelism: parallelism)].append(Int32(row))
        }
        return indices.map { batch.gather($0) }
    }
}
