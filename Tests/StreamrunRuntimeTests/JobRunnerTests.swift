import StreamrunCore
import StreamrunPlan
import Synchronization
import Testing

@testable import StreamrunRuntime

/// The runner with test sources and sinks: backpressure keeps memory bounded behind a slow sink, and
/// one failing task stops the whole job with its error.
@Suite struct JobRunnerTests {
    static let schema = Schema([Field("x", .int)])

    /// source (p=2) → sink (p=1): not chainable, so records cross a rebalance edge into a gate.
    static func plan(sourceParallelism: Int = 2) -> JobPlan {
        let spec = SourceSpec(id: "src", kind: .generator)
        let sink = SinkPlan(spec: SinkSpec(id: "sink", kind: .stdout, inputs: ["src"]), columns: [0], columnNames: ["x"], partition: nil)
        return JobPlan(spec: JobSpec(name: "t", parallelism: 1), nodes: [
            PlanNode(id: "src", kind: .source(spec), inputs: [], inputSchema: nil, outputSchema: schema,
                     parallelism: sourceParallelism, jsonPath: "sources[0]"),
            PlanNode(id: "sink", kind: .sink(sink), inputs: [InputRef(node: "src")], inputSchema: schema, outputSchema: schema,
                     parallelism: 1, jsonPath: "sinks[0]"),
        ])
    }

    final class Probe: Sendable {
        let peak = Mutex(0)
        let rows = Mutex(0)
        let runner = Mutex<JobRunner?>(nil)
    }

    final class FastSource: SourceReader {
        var left: Int
        let rows: Int
        init(batches: Int, rows: Int) {
            left = batches
            self.rows = rows
        }
        func next() async throws -> SourceOutput? {
            guard left > 0 else { return nil }
            left -= 1
            return .records(RecordBatch(count: rows, columns: [Column(.int(Array(repeating: 1, count: rows)))]))
        }
    }

    final class SlowSink: StreamOperator {
        let probe: Probe
        let failAfter: Int?
        var seen = 0
        init(probe: Probe, failAfter: Int?) {
            self.probe = probe
            self.failAfter = failAfter
        }
        func process(_ batch: RecordBatch, context: OperatorContext) async throws {
            seen += 1
            if let f = failAfter, seen > f { throw StreamrunError(.writeFailed, "disk full", retry: .transient) }
            probe.rows.withLock { $0 += batch.count }
            let buffered = probe.runner.withLock { $0 }?.gates[1][0]?.bufferedRecords ?? 0
            probe.peak.withLock { $0 = max($0, buffered) }
            if seen % 5 == 0 { try await Task.sleep(for: .milliseconds(2)) }
        }
    }

    struct Factory: OperatorFactory {
        let probe: Probe
        let batches: Int
        let rows: Int
        var failAfter: Int?
        func makeSource(_ node: PlanNode, subtask: Int, stop: StopFlag) throws -> any SourceReader {
            FastSource(batches: batches, rows: rows)
        }
        func makeOperator(_ node: PlanNode, subtask: Int) throws -> any StreamOperator {
            SlowSink(probe: probe, failAfter: failAfter)
        }
    }

    @Test func memoryStaysBoundedBehindSlowSink() async throws {
        let probe = Probe()
        let capacity = 2000, rows = 500, batches = 200
        let runner = JobRunner(plan: Self.plan(), factory: Factory(probe: probe, batches: batches, rows: rows),
                               options: .init(channelCapacity: capacity))
        probe.runner.withLock { $0 = runner }
        try await runner.run()
        #expect(probe.rows.withLock { $0 } == 2 * batches * rows)
        // Two inputs (one per source subtask), each at most its capacity plus one batch.
        let peak = probe.peak.withLock { $0 }
        #expect(peak <= 2 * (capacity + rows), "peak buffered \(peak)")
        #expect(peak > 0)
    }

    @Test func failingTaskFailsTheJobWithItsError() async throws {
        let probe = Probe()
        let runner = JobRunner(plan: Self.plan(), factory: Factory(probe: probe, batches: 100_000, rows: 100, failAfter: 10),
                               options: .init(channelCapacity: 1000))
        await #expect {
            try await runner.run()
        } throws: { error in
            (error as? StreamrunError)?.message == "disk full"
        }
    }
}
