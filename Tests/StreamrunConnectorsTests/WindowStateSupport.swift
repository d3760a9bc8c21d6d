@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

/// Random input for checkpoint tests: batches of records in bounded disorder, with watermarks that
/// trail the records (so some arrive late), ending with the final watermark.
struct StateScenario {
    enum Step {
        case batch([[Value]])
        case watermark(Watermark)
    }

    var steps: [Step]
    var spec: WindowSpec
    var lateness: Int64
    var ttl: Int64?

    init(_ rng: inout SeededRandom, sessions: Bool = true) {
        spec = WindowReference.randomWindow(&rng, sessions: sessions)
        lateness = Bool.random(using: &rng) ? 0 : Int64.random(in: 1...20, using: &rng)
        ttl = Int.random(in: 0..<3, using: &rng) == 0 ? Int64.random(in: 1...60, using: &rng) : nil
        steps = Self.steps(WindowReference.randomRows(&rng, count: Int.random(in: 1...300, using: &rng), nullTimes: true), &rng)
    }

    /// Cuts `rows` (time in column 1) into batches, sorted by time plus a random disorder, with
    /// watermarks up to 25 ms behind the newest record now and then.
    static func steps(_ generated: [[Value]], _ rng: inout SeededRandom) -> [Step] {
        let disorder = Int64.random(in: 0...30, using: &rng)
        let keyed = generated.map { r -> (Int64, [Value]) in
            guard case .timestamp(let t) = r[1] else { return (Int64.random(in: -60...140, using: &rng), r) }
            return (t + Int64.random(in: 0...disorder, using: &rng), r)
        }
        let rows = keyed.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        var steps: [Step] = []
        var w = Int64.min, maxSeen = Int64.min
        var i = 0
        while i < rows.count {
            let batch = Array(rows[i..<min(i + Int.random(in: 1...20, using: &rng), rows.count)])
            i += batch.count
            steps.append(.batch(batch))
            for r in batch { if case .timestamp(let t) = r[1] { maxSeen = max(maxSeen, t) } }
            if Bool.random(using: &rng), maxSeen > .min {
                let next = maxSeen - Int64.random(in: 0...25, using: &rng)
                if next > w {
                    steps.append(.watermark(Watermark(milliseconds: next)))
                    w = next
                }
            }
        }
        steps.append(.watermark(Watermark.max))
        return steps
    }
}

extension WindowDriver {
    /// Applies one step; returns what it emitted (results, then late rows).
    @discardableResult mutating func apply(_ step: StateScenario.Step) throws -> (results: [[Value]], late: [[Value]]) {
        switch step {
        case .batch(let rows):
            let lateBefore = late.count
            let results = try feed(RecordBatch(schema: input, rows: rows))
            return (results, Array(late[lateBefore...]))
        case .watermark(let w):
            return (watermark(w), [])
        }
    }

    /// Applies one step to a batch already split for this subtask.
    @discardableResult mutating func apply(_ step: StateScenario.Step, part: RecordBatch?) throws -> (results: [[Value]], late: [[Value]]) {
        guard let part else { return try apply(step) }
        let lateBefore = late.count
        let results = try feed(part)
        return (results, Array(late[lateBefore...]))
    }

    /// The encoded state, as the operator's `snapshotState` returns it.
    func snapshot() -> SnapshotPayload { WindowStateCodec.encode(machine.capture()) }

    /// This driver with its state machine replaced by one restored from `keyGroups` and `named`.
    func restored(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int = 128) throws -> WindowDriver {
        var copy = self
        copy.machine = try WindowStateMachine(config: machine.config, maxParallelism: maxParallelism, restoring: keyGroups, named: named)
        copy.emitted = []
        copy.late = []
        copy.groups = []
        return copy
    }
}

/// Rows in a canonical order, for comparing outputs whose order depends on the partitioning.
func multiset(_ rows: [[Value]]) -> [String] { rows.map { "\($0)" }.sorted() }

/// Splits the rows of a step by subtask at `parallelism`, like the keyed partitioner.
func split(_ step: StateScenario.Step, schema: Schema, keyFields: [Int], parallelism: Int) -> [RecordBatch?] {
    guard case .batch(let rows) = step else { return [RecordBatch?](repeating: nil, count: parallelism) }
    return KeyPartitioner.split(RecordBatch(schema: schema, rows: rows), fields: keyFields, maxParallelism: 128, parallelism: parallelism)
}

/// The key groups of `groups` that subtask `index` of `parallelism` owns.
func owned(_ groups: [Int: [UInt8]], subtask index: Int, parallelism: Int) -> [Int: [UInt8]] {
    let range = KeyGroups.range(subtask: index, maxParallelism: 128, parallelism: parallelism)
    return groups.filter { range.contains($0.key) }
}

extension StreamrunError.Code {
    /// The checkpoint error codes, by their stable names (this target does not import StreamrunCheckpoint).
    static let checkpointCorrupt = StreamrunError.Code("checkpoint-corrupt")
    static let checkpointUnsupportedVersion = StreamrunError.Code("checkpoint-unsupported-version")
}
