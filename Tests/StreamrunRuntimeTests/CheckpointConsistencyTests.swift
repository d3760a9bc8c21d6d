import StreamrunCore
import StreamrunPlan
import Synchronization
import Testing

@testable import StreamrunRuntime

/// Barriers cut the stream consistently: at every completed checkpoint, the records the sources had
/// emitted before their barrier are exactly the records every downstream operator had processed
/// before its snapshot — across a keyed exchange, a rebalance and a fan-in.
@Suite struct CheckpointConsistencyTests {
    static let schema = Schema([Field("x", .int)])

    /// src (p=2) → count (p=2, keyed by x) → sink (p=1, rebalance).
    static func plan() throws -> JobPlan {
        let spec = SourceSpec(id: "src", kind: .generator)
        let sink = SinkPlan(spec: SinkSpec(id: "sink", kind: .stdout, inputs: ["count"]), columns: [0], columnNames: ["x"], partition: nil)
        let dedupe = DedupePlan(keyFields: [0], timeField: nil, withinMs: 1)
        return JobPlan(spec: JobSpec(name: "t", parallelism: 2), nodes: [
            PlanNode(id: "src", kind: .source(spec), inputs: [], inputSchema: nil, outputSchema: schema, parallelism: 2, jsonPath: "sources[0]"),
            PlanNode(id: "count", kind: .dedupe(dedupe), inputs: [InputRef(node: "src")], inputSchema: schema, outputSchema: schema,
                     parallelism: 2, keyFields: [0], jsonPath: "operators[0]"),
            PlanNode(id: "sink", kind: .sink(sink), inputs: [InputRef(node: "count")], inputSchema: schema, outputSchema: schema,
                     parallelism: 1, jsonPath: "sinks[0]"),
        ])
    }

    static func encode(_ n: Int) -> [UInt8] { withUnsafeBytes(of: Int64(n).littleEndian) { Array($0) } }
    static func decode(_ b: [UInt8]?) -> Int { b.map { Int(Int64(littleEndian: $0.withUnsafeBytes { $0.load(as: Int64.self) })) } ?? -1 }

    final class CountingSource: SourceReader {
        var emitted = 0
        let total: Int
        init(total: Int) { self.total = total }
        func next() async throws -> SourceOutput? {
            guard emitted < total else { return nil }
            let n = min(97, total - emitted)
            defer { emitted += n }
            if emitted % 970 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            return .records(RecordBatch(count: n, columns: [Column(.int((emitted..<(emitted + n)).map { Int64($0) }))]))
        }
        func snapshotState(checkpoint id: CheckpointID) -> SnapshotPayload? { SnapshotPayload(named: ["rows": encode(emitted)]) }
    }

    /// Passes records through and counts them; its snapshot is the count.
    final class Counter: StreamOperator {
        var seen = 0
        func process(_ batch: RecordBatch, context: OperatorContext) async throws {
            seen += batch.count
            try await context.main.emit(batch)
        }
        func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
            SnapshotPayload(named: ["rows": encode(seen)])
        }
    }

    struct Factory: OperatorFactory {
        func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag) throws -> any SourceReader { CountingSource(total: 300_000) }
        func makeOperator(_ node: PlanNode, subtask: Int) throws -> any StreamOperator { Counter() }
    }

    final class Completions: Sendable {
        let list = Mutex<[CheckpointTracker.Completed]>([])
    }

    @Test func everyCompletedCheckpointIsAConsistentCut() async throws {
        let completions = Completions()
        let runner = JobRunner(plan: try Self.plan(), factory: Factory(),
                               options: .init(channelCapacity: 500, onCheckpointComplete: { c in completions.list.withLock { $0.append(c) } }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await runner.run() }
            group.addTask {
                // Progress decides, not time: each checkpoint is triggered once the previous one
                // completed, so a loaded machine cannot make the job outrun every trigger.
                for i in 0..<8 {
                    runner.triggerCheckpoint()
                    while completions.list.withLock({ $0.count }) <= i && runner.stoppedAtCheckpoint == nil
                        && runner.checkpointInFlight != nil {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            try await group.waitForAll()
        }
        let done = completions.list.withLock { $0 }
        #expect(done.count >= 2, "only \(done.count) checkpoints completed")
        var compared = 0
        for c in done {
            func rows(_ node: NodeID) -> Int {
                c.states.filter { $0.key.node == node }.reduce(0) { $0 + Self.decode($1.value.named["rows"]) }
            }
            let live = Set(c.states.keys.map(\.node))
            guard live == ["src", "count", "sink"] else { continue }  // a source had finished: nothing to compare
            #expect(rows("src") == rows("count"), "checkpoint \(c.id): sources \(rows("src")) vs count \(rows("count"))")
            #expect(rows("count") == rows("sink"), "checkpoint \(c.id): count \(rows("count")) vs sink \(rows("sink"))")
            if rows("src") > 0 { compared += 1 }
        }
        #expect(compared >= 1, "no checkpoint with records completed while every task was running")
        #expect(done.map(\.id) == done.map(\.id).sorted())
    }
}
