import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// A file sink write that really fails (a partition directory blocked by a regular file) leaves the
/// encoded batch undrained: the writer asks to be resumed, and resuming writes every row exactly once.
@Suite struct FileSinkWriterRetryTests {
    typealias Contract = SinkContractTests

    static func partitionedSink(_ dir: URL) throws -> FileSink {
        try #require(try FileSinkUnderTest(partitioned: true).make(dir) as? FileSink)
    }

    static func batch(_ rows: [(String, Int64)]) -> RecordBatch {
        RecordBatch(schema: Contract.schema, rows: rows.map { [.string($0.0), .int($0.1)] })
    }

    /// Every file below `dir` (hidden ones too), relative, sorted.
    static func files(_ dir: URL) -> [String] {
        ((FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String]) ?? [])
            .filter { !FileManager.default.isDirectory(dir.appendingPathComponent($0)) }.sorted()
    }

    @Test func aBlockedPartitionIsResumedAndEveryRowWrittenOnce() async throws {
        let dir = Contract.destination()
        let sink = try Self.partitionedSink(dir)
        try Contract.prepare(sink)
        let writer = try #require(try sink.makeWriter(subtask: 0, parallelism: 1) as? FileSinkWriter)
        #expect(writer.retryAction == .again)
        // A regular file where partition b's directory goes.
        let blocker = dir.appendingPathComponent("dt=b")
        try Data("not a directory".utf8).write(to: blocker)
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")

        let error = await #expect(throws: StreamrunError.self) {
            try await writer.process(Self.batch([("a", 1), ("b", 2), ("c", 3), ("b", 4)]), context: context)
        }
        #expect(error?.retry == .transient, "\(String(describing: error))")
        #expect(error?.message.contains("dt=b") == true, "\(String(describing: error))")
        // Partition a was written out; b and c are encoded and wait: the batch must not be handed over again.
        #expect(writer.retryAction == .resume)
        #expect(writer.undrained == ["b", "c"])

        // Still blocked: resuming fails the same way and can be resumed again.
        await #expect(throws: StreamrunError.self) { try await writer.resume(context: context) }
        #expect(writer.retryAction == .resume)

        try FileManager.default.removeItem(at: blocker)
        try await writer.resume(context: context)
        #expect(writer.retryAction == .again)
        #expect(writer.undrained.isEmpty)
        try await writer.process(Self.batch([("b", 5), ("d", 6)]), context: context)
        let prepared = try await writer.snapshotState(checkpoint: 1, context: context) ?? SnapshotPayload()
        try sink.commit([PreparedCommit(subtask: 0, state: prepared)], checkpoint: 1)
        #expect(try FileSinkUnderTest(partitioned: true).visibleRows(dir) == ["a,1", "b,2", "b,4", "b,5", "c,3", "d,6"])
        #expect(Self.files(dir) == ["dt=a/part-out-00000-000000.csv", "dt=b/part-out-00000-000000.csv",
                                    "dt=c/part-out-00000-000000.csv", "dt=d/part-out-00000-000000.csv"])
    }

    /// The same failure under the sink's retries (``GuardedSinkWriter``): the retry resumes the
    /// writer instead of handing it the batch again.
    @Test func theGuardedWriterResumesARealFailure() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("filesink-retry-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let out = base.appendingPathComponent("out")
        let text = """
            { "name": "filesink-retry-\(UInt32.random(in: 0...UInt32.max))",
              "sources": [{ "id": "in", "type": "file", "path": "\(base.path)/in", "schema": { "k": "string", "v": "int" } }],
              "sinks": [{ "id": "out", "type": "file", "format": "csv", "path": "\(out.path)", "inputs": ["in"], "partitionBy": "k",
                          "retry": { "maxRetries": 1000, "initialInterval": "1ms", "maxInterval": "5ms" } }] }
            """
        let plan = try JobLoader.parse(data: Array(text.utf8), file: "job.json")
        let factory = ConnectorFactory(plan: plan)
        let sink = try #require(factory.sinks.first)
        try Contract.prepare(sink)
        let writer = try factory.makeOperator(try #require(plan.node("out")), subtask: 0)
        let blocker = out.appendingPathComponent("dt=b")
        try Data().write(to: blocker)
        let path = blocker.path
        let unblocking = Task.detached {
            try await Task.sleep(for: .milliseconds(50))
            try FileManager.default.removeItem(atPath: path)
        }
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await writer.process(Self.batch([("a", 1), ("b", 2), ("c", 3)]), context: context)
        try await unblocking.value
        let status = try #require(factory.health.statuses.first)
        #expect(status.retries >= 1 && status.failures == status.retries, "\(status)")
        #expect(status.lastError?.contains("not a directory") == true, "\(status)")
        let prepared = try await writer.snapshotState(checkpoint: 1, context: context) ?? SnapshotPayload()
        try await factory.health.commit(sink, [PreparedCommit(subtask: 0, state: prepared)], checkpoint: 1)
        #expect(try FileSinkUnderTest(partitioned: true).visibleRows(out) == ["a,1", "b,2", "c,3"])
    }

    @Test func anEmptyBatchCreatesNoFile() async throws {
        for partitioned in [false, true] {
            let dir = Contract.destination()
            let sink = try FileSinkUnderTest(partitioned: partitioned).make(dir)
            try Contract.prepare(sink)
            let writer = try #require(try sink.makeWriter(subtask: 0, parallelism: 1) as? FileSinkWriter)
            let (context, _, _) = OperatorContext.collecting(nodeID: "out")
            try await writer.process(Self.batch([]), context: context)
            #expect(Self.files(dir).isEmpty, "partitioned: \(partitioned)")
            #expect(writer.files.isEmpty && writer.retryAction == .again)
            let prepared = try await writer.snapshotState(checkpoint: 1, context: context) ?? SnapshotPayload()
            try sink.commit([PreparedCommit(subtask: 0, state: prepared)], checkpoint: 1)
            #expect(Self.files(dir).isEmpty, "partitioned: \(partitioned)")
            // The next file still starts at sequence 0.
            try await writer.process(Self.batch([("a", 1)]), context: context)
            let next = try await writer.snapshotState(checkpoint: 2, context: context) ?? SnapshotPayload()
            try sink.commit([PreparedCommit(subtask: 0, state: next)], checkpoint: 2)
            #expect(Self.files(dir) == [(partitioned ? "dt=a/" : "") + "part-out-00000-000000.csv"], "partitioned: \(partitioned)")
        }
    }
}

extension FileManager {
    fileprivate func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}
