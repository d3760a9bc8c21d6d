import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// The file sink's side of two-phase commit: at a checkpoint, open files become pending (complete,
/// fsynced, hidden) and are listed in the snapshot; publishing them is a rename, and doing it again
/// is a no-op.
@Suite struct FileSinkCheckpointTests {
    static let schema = Schema([Field("k", .string), Field("v", .int)])

    func sink(_ dir: URL, partitioned: Bool) throws -> (FileSinkWriter, FileCommitter) {
        let spec = SinkSpec(id: "out", kind: .file, inputs: ["in"], path: dir.path, format: .csv,
                            partitionBy: partitioned ? "k" : nil)
        let partition = partitioned ? try ExpressionCompiler.compile("k", schema: Self.schema).get() : nil
        let plan = SinkPlan(spec: spec, columns: [0, 1], columnNames: ["k", "v"], partition: partition)
        let committer = FileCommitter()
        let names = PartFileNames(root: dir.path, sinkID: "out", subtask: 0, fileExtension: "csv")
        return (FileSinkWriter(names: names, encoder: SinkEncoding(sink: plan, schema: Self.schema), partition: partition,
                                 rollBytes: 1 << 20, committer: committer), committer)
    }

    func batch(_ rows: [(String, Int64)]) -> RecordBatch {
        RecordBatch(schema: Self.schema, rows: rows.map { [.string($0.0), .int($0.1)] })
    }

    func visible(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)!
        for case let url as URL in e where !url.hasDirectoryPath && !url.lastPathComponent.hasPrefix(".") {
            out[String(url.path.dropFirst(dir.path.count + 1))] = try? String(contentsOf: url, encoding: .utf8)
        }
        return out
    }

    @Test func pendingFilesAreHiddenUntilCommittedAndCommitIsIdempotent() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink2pc-\(UInt32.random(in: 0...UInt32.max))")
        let (op, committer) = try sink(dir, partitioned: false)
        let (ctx, _, _) = OperatorContext.collecting()
        try await op.process(batch([("a", 1), ("b", 2)]), context: ctx)
        let s1 = try FileSinkState(payload: try await op.snapshotState(checkpoint: 1, context: ctx)!.named, subtask: 0)
        #expect(s1.pending.count == 1)
        #expect(FileManager.default.fileExists(atPath: s1.pending[0].inProgress))
        #expect(visible(dir).isEmpty, "nothing is visible before the checkpoint completes")
        try committer.commit(s1.pending, through: 1)
        #expect(visible(dir) == ["part-out-00000-000000.csv": "a,1\nb,2\n"])
        try committer.commit(s1.pending)  // re-commit after a restore: no-op
        #expect(visible(dir).count == 1)

        try await op.process(batch([("c", 3)]), context: ctx)
        let s2 = try FileSinkState(payload: try await op.snapshotState(checkpoint: 2, context: ctx)!.named, subtask: 0)
        #expect(s2.pending.map { URL(fileURLWithPath: $0.final).lastPathComponent } == ["part-out-00000-000001.csv"])
        #expect(s2.sequences == [0: ["": 2]])
        try committer.commit(s2.pending, through: 2)
        // A checkpoint with nothing written (since the last committed one) has nothing pending.
        let s3 = try FileSinkState(payload: try await op.snapshotState(checkpoint: 3, context: ctx)!.named, subtask: 0)
        #expect(s3.pending.isEmpty)
        #expect(visible(dir)["part-out-00000-000001.csv"] == "c,3\n")
    }

    @Test func partitionedSinkListsOneFilePerPartition() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink2pc-p-\(UInt32.random(in: 0...UInt32.max))")
        let (op, committer) = try sink(dir, partitioned: true)
        let (ctx, _, _) = OperatorContext.collecting()
        try await op.process(batch([("x", 1), ("y", 2), ("x", 3)]), context: ctx)
        let s = try FileSinkState(payload: try await op.snapshotState(checkpoint: 1, context: ctx)!.named, subtask: 0)
        #expect(s.pending.count == 2)
        #expect(s.sequences == [0: ["dt=x": 1, "dt=y": 1]])
        try committer.commit(s.pending)
        #expect(visible(dir) == ["dt=x/part-out-00000-000000.csv": "x,1\nx,3\n", "dt=y/part-out-00000-000000.csv": "y,2\n"])
    }

    /// Checkpoint 1 is abandoned (a stop replaced it, or it timed out, or it failed to persist) after
    /// the writer closed its files: checkpoint 2 must list them too, or a crash after 2 would delete
    /// them on recovery while 2's source offsets lie past their records.
    @Test func filesOfAnAbandonedCheckpointTravelWithTheNextOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink2pc-a-\(UInt32.random(in: 0...UInt32.max))")
        let (op, committer) = try sink(dir, partitioned: false)
        let (ctx, _, _) = OperatorContext.collecting()
        try await op.process(batch([("a", 1)]), context: ctx)
        let abandoned = try FileSinkState(payload: try await op.snapshotState(checkpoint: 1, context: ctx)!.named, subtask: 0)
        try await op.process(batch([("b", 2)]), context: ctx)
        let next = try FileSinkState(payload: try await op.snapshotState(checkpoint: 2, context: ctx)!.named, subtask: 0)
        #expect(next.pending.map(\.final) == abandoned.pending.map(\.final) + [dir.path + "/part-out-00000-000001.csv"])
        try committer.commit(next.pending, through: 2)
        #expect(visible(dir) == ["part-out-00000-000000.csv": "a,1\n", "part-out-00000-000001.csv": "b,2\n"])
        let after = try FileSinkState(payload: try await op.snapshotState(checkpoint: 3, context: ctx)!.named, subtask: 0)
        #expect(after.pending.isEmpty, "committed files are not listed again")
    }

    @Test func corruptStateIsAClearError() {
        #expect(throws: StreamrunError.self) { try FileSinkState(payload: ["pending": [7, 1, 2]], subtask: 0) }
    }
}
