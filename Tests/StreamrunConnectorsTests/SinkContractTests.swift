import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

extension SinkUnderTest {
    func make(_ destination: URL) throws -> any TwoPhaseCommitSink { try make(destination, overwrite: false) }
}

/// One implementation of ``TwoPhaseCommitSink`` under test: how to make it over a fresh
/// destination, and what a reader of that destination sees.
protocol SinkUnderTest: Sendable {
    var name: String { get }
    /// A new sink object over `destination` (a second call is the same sink after a restart).
    func make(_ destination: URL, overwrite: Bool) throws -> any TwoPhaseCommitSink
    /// Every committed row, as `k,v`, sorted.
    func visibleRows(_ destination: URL) throws -> [String]
}

struct FileSinkUnderTest: SinkUnderTest {
    var name: String { partitioned ? "file (partitioned)" : "file" }
    let partitioned: Bool

    func make(_ destination: URL, overwrite: Bool) throws -> any TwoPhaseCommitSink {
        let spec = SinkSpec(id: "out", kind: .file, inputs: ["in"], path: destination.path, format: .csv,
                            partitionBy: partitioned ? "k" : nil)
        let partition = partitioned ? try ExpressionCompiler.compile("k", schema: SinkContractTests.schema).get() : nil
        return FileSink(id: "out", plan: SinkPlan(spec: spec, columns: [0, 1], columnNames: ["k", "v"], partition: partition),
                        schema: SinkContractTests.schema, overwrite: overwrite)
    }

    func visibleRows(_ destination: URL) throws -> [String] {
        var rows: [String] = []
        guard let e = FileManager.default.enumerator(at: destination, includingPropertiesForKeys: nil) else { return [] }
        for case let url as URL in e where !url.hasDirectoryPath && !url.lastPathComponent.hasPrefix(".") {
            rows += try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        return rows.sorted()
    }
}

/// The two-phase commit contract, run over every transactional sink: nothing is visible before a
/// checkpoint's commit; commit is idempotent, also from a new sink object after a restart; recover
/// publishes the restored checkpoint and undoes what was written after it; abort leaves nothing.
@Suite struct SinkContractTests {
    static let schema = Schema([Field("k", .string), Field("v", .int)])
    static let sinks: [any SinkUnderTest] = [FileSinkUnderTest(partitioned: false), FileSinkUnderTest(partitioned: true)]

    static func destination() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sink-contract-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// Writes `rows` with one writer subtask and returns what it prepared at checkpoint `id`.
    static func write(_ rows: [(String, Int64)], to writer: any StreamOperator, checkpoint id: CheckpointID,
                      subtask: Int = 0) async throws -> PreparedCommit {
        let (context, _, _) = OperatorContext.collecting(nodeID: "out", subtask: subtask)
        if !rows.isEmpty {
            try await writer.process(RecordBatch(schema: schema, rows: rows.map { [.string($0.0), .int($0.1)] }), context: context)
        }
        return PreparedCommit(subtask: subtask, state: try await writer.snapshotState(checkpoint: id, context: context) ?? SnapshotPayload())
    }

    static func prepare(_ sink: any TwoPhaseCommitSink) throws {
        try sink.preflight()
        try sink.recover([], checkpoint: 0)
    }

    @Test(arguments: sinks.indices)
    func commitMakesACheckpointVisibleOnce(_ i: Int) async throws {
        let sut = Self.sinks[i], dir = Self.destination()
        let sink = try sut.make(dir)
        try Self.prepare(sink)
        let writer = try sink.makeWriter(subtask: 0, parallelism: 1)
        let p1 = try await Self.write([("a", 1), ("b", 2)], to: writer, checkpoint: 1)
        #expect(try sut.visibleRows(dir).isEmpty, "\(sut.name): visible before the commit")
        try sink.commit([p1], checkpoint: 1)
        #expect(try sut.visibleRows(dir) == ["a,1", "b,2"], "\(sut.name)")
        try sink.commit([p1], checkpoint: 1)
        #expect(try sut.visibleRows(dir) == ["a,1", "b,2"], "\(sut.name): a second commit changed the output")
        let p2 = try await Self.write([("c", 3)], to: writer, checkpoint: 2)
        try sink.commit([p2], checkpoint: 2)
        #expect(try sut.visibleRows(dir) == ["a,1", "b,2", "c,3"], "\(sut.name)")
        // A new sink object (the job restarted) handed the same committables again: no duplicates.
        let again = try sut.make(dir)
        try again.commit([p2], checkpoint: 2)
        #expect(try sut.visibleRows(dir) == ["a,1", "b,2", "c,3"], "\(sut.name): committing after a restart duplicated rows")
    }

    /// A crash after checkpoint 1 was persisted but before its commit, with rows of checkpoint 2
    /// already written: recovery publishes 1 and undoes 2, and the resumed writer writes 2 again.
    @Test(arguments: sinks.indices)
    func recoverPublishesTheCheckpointAndUndoesWhatCameAfter(_ i: Int) async throws {
        let sut = Self.sinks[i], dir = Self.destination()
        let crashed = try sut.make(dir)
        try Self.prepare(crashed)
        let writer = try crashed.makeWriter(subtask: 0, parallelism: 1)
        let p1 = try await Self.write([("a", 1)], to: writer, checkpoint: 1)
        let p2 = try await Self.write([("b", 2)], to: writer, checkpoint: 2)
        try crashed.commit([p2], checkpoint: 2)  // checkpoint 2 committed but (say) its manifest was lost
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await writer.process(RecordBatch(schema: Self.schema, rows: [[.string("x"), .int(9)]]), context: context)

        let resumed = try sut.make(dir)
        try resumed.preflight()
        try resumed.recover([p1], checkpoint: 1)
        #expect(try sut.visibleRows(dir) == ["a,1"], "\(sut.name): recovery must leave exactly checkpoint 1")
        try resumed.recover([p1], checkpoint: 1)
        #expect(try sut.visibleRows(dir) == ["a,1"], "\(sut.name): recovering twice changed the output")
        let again = try resumed.makeWriter(subtask: 0, parallelism: 1)
        let q2 = try await Self.write([("b", 2)], to: again, checkpoint: 2)
        try resumed.commit([q2], checkpoint: 2)
        #expect(try sut.visibleRows(dir) == ["a,1", "b,2"], "\(sut.name)")
    }

    @Test(arguments: sinks.indices)
    func recoverWithNothingPreparedLeavesNothing(_ i: Int) async throws {
        let sut = Self.sinks[i], dir = Self.destination()
        let crashed = try sut.make(dir)
        try Self.prepare(crashed)
        _ = try await Self.write([("a", 1)], to: try crashed.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        let resumed = try sut.make(dir)
        try resumed.recover([], checkpoint: 1)
        #expect(try sut.visibleRows(dir).isEmpty, "\(sut.name)")
        #expect(resumed.committed.count == 0, "\(sut.name)")
    }

    @Test(arguments: sinks.indices)
    func abortRemovesEverythingUncommitted(_ i: Int) async throws {
        let sut = Self.sinks[i], dir = Self.destination()
        let sink = try sut.make(dir)
        try Self.prepare(sink)
        let writer = try sink.makeWriter(subtask: 0, parallelism: 1)
        let p1 = try await Self.write([("a", 1)], to: writer, checkpoint: 1)
        try sink.commit([p1], checkpoint: 1)
        _ = try await Self.write([("b", 2)], to: writer, checkpoint: 2)
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await writer.process(RecordBatch(schema: Self.schema, rows: [[.string("c"), .int(3)]]), context: context)
        sink.abort()
        #expect(try sut.visibleRows(dir) == ["a,1"], "\(sut.name)")
        let leftovers = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? [])
            .filter { $0.split(separator: "/").last?.hasPrefix(".") == true }
        #expect(leftovers.isEmpty, "\(sut.name): left behind \(leftovers)")
    }

    @Test(arguments: sinks.indices)
    func freshStartIsRefusedOverCommittedOutput(_ i: Int) async throws {
        let sut = Self.sinks[i], dir = Self.destination()
        let sink = try sut.make(dir)
        try Self.prepare(sink)
        try sink.startFresh(.first)
        let p1 = try await Self.write([("a", 1), ("b", 2)], to: try sink.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        try sink.commit([p1], checkpoint: 1)
        #expect(throws: StreamrunError.self) { try sink.startFresh(.first) }
        #expect(throws: StreamrunError.self) { try sink.startFresh(.fresh) }
    }

    /// `--overwrite`: a run that restores nothing replaces exactly this sink's earlier output at its
    /// first commit; files that are not this sink's stay.
    @Test(arguments: sinks.indices)
    func overwriteReplacesTheEarlierRunAtTheFirstCommit(_ i: Int) async throws {
        let sut = Self.sinks[i], dir = Self.destination()
        let earlier = try sut.make(dir)
        try Self.prepare(earlier)
        let e1 = try await Self.write([("a", 1), ("b", 2), ("c", 3)], to: try earlier.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        try earlier.commit([e1], checkpoint: 1)
        let e2 = try await Self.write([("d", 4)], to: try earlier.makeWriter(subtask: 1, parallelism: 2), checkpoint: 2, subtask: 1)
        try earlier.commit([e2], checkpoint: 2)
        try Data("not ours\n".utf8).write(to: dir.appendingPathComponent("notes.txt"))

        let again = try sut.make(dir, overwrite: true)
        try again.preflight()
        try again.startFresh(.first)
        let n1 = try await Self.write([("x", 9)], to: try again.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        #expect(try sut.visibleRows(dir) == ["a,1", "b,2", "c,3", "d,4", "not ours"], "\(sut.name): replaced before the commit")
        try again.commit([n1], checkpoint: 1)
        #expect(try sut.visibleRows(dir) == ["not ours", "x,9"], "\(sut.name)")
    }
}
