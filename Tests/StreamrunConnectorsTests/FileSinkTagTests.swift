import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// Part files with a tag (a dead-letter replay's, `part-out-replay-<id>-…`) and the job's own untagged
/// part files share a directory without touching each other: each run lists, refuses, recovers and
/// replaces (`--overwrite`) only the files of its own tag.
@Suite struct FileSinkTagTests {
    typealias Contract = SinkContractTests

    func sink(_ dir: URL, tag: String?, overwrite: Bool = false) -> FileSink {
        var spec = SinkSpec(id: "out", kind: .file, inputs: ["in"], path: dir.path, format: .csv)
        spec.partTag = tag
        return FileSink(id: "out", plan: SinkPlan(spec: spec, columns: [0, 1], columnNames: ["k", "v"], partition: nil),
                        schema: Contract.schema, overwrite: overwrite)
    }

    func names(_ dir: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }

    @Test func namesCarryTheTagAndParseOnlyWithIt() {
        let tagged = PartFileNames(root: "/o", sinkID: "out", tag: "replay-00ff", subtask: 1, fileExtension: "jsonl")
        #expect(tagged.fileName(sequence: 7) == "part-out-replay-00ff-00001-000007.jsonl")
        #expect(tagged.inProgressPath(partition: "a", sequence: 7) == "/o/dt=a/.part-out-replay-00ff-00001-000007.jsonl.inprogress")
        let name = tagged.fileName(sequence: 7)
        #expect(PartFileNames.parse(name, sinkID: "out", tag: "replay-00ff", fileExtension: "jsonl")! == (1, 7))
        #expect(PartFileNames.parse(name, sinkID: "out", tag: nil, fileExtension: "jsonl") == nil)
        #expect(PartFileNames.parse(name, sinkID: "out", tag: "replay-00fe", fileExtension: "jsonl") == nil)
        #expect(PartFileNames.parse("part-out-00001-000007.jsonl", sinkID: "out", tag: "replay-00ff", fileExtension: "jsonl") == nil)
        #expect(PartFileNames.parse("part-out-00001-000007.jsonl", sinkID: "out", tag: nil, fileExtension: "jsonl")! == (1, 7))
        #expect(PartFileNames.parseInProgress(".\(name).inprogress", sinkID: "out", tag: "replay-00ff")! == (1, 7))
        #expect(PartFileNames.parseInProgress(".\(name).inprogress", sinkID: "out", tag: nil) == nil)
        #expect(PartFileNames.parseInProgress(".part-out-00001-000007.csv.inprogress", sinkID: "out", tag: nil)! == (1, 7))
        // Any sink, any tag, committed only.
        #expect(PartFileNames.isCommittedPartFile(name, fileExtension: "jsonl"))
        #expect(PartFileNames.isCommittedPartFile("part-dlq-00000-000000.jsonl", fileExtension: "jsonl"))
        #expect(!PartFileNames.isCommittedPartFile(".\(name).inprogress", fileExtension: "jsonl"))
        #expect(!PartFileNames.isCommittedPartFile("part-dlq-00000-000000.csv", fileExtension: "jsonl"))
        #expect(!PartFileNames.isCommittedPartFile("part-00000-000000.jsonl", fileExtension: "jsonl"))
        #expect(!PartFileNames.isCommittedPartFile("part-dlq-0000a-000000.jsonl", fileExtension: "jsonl"))
        #expect(!PartFileNames.isCommittedPartFile("notes.jsonl", fileExtension: "jsonl"))
    }

    @Test func aTaggedRunNeitherRefusesNorReplacesTheUntaggedOutput() async throws {
        let dir = Contract.destination()
        let main = sink(dir, tag: nil)
        try Contract.prepare(main)
        let m1 = try await Contract.write([("a", 1)], to: try main.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        try main.commit([m1], checkpoint: 1)

        // A replay restoring nothing is not refused by the job's own part files, and leaves them alone.
        let replay = sink(dir, tag: "replay-1")
        try Contract.prepare(replay)
        try replay.startFresh(.first)
        let r1 = try await Contract.write([("r", 2)], to: try replay.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        try replay.commit([r1], checkpoint: 1)
        #expect(names(dir) == ["part-out-00000-000000.csv", "part-out-replay-1-00000-000000.csv"])
        // Run again restoring nothing, it is refused by its own part files only.
        #expect(throws: StreamrunError.self) { try sink(dir, tag: "replay-1").startFresh(.first) }

        // The job's `--overwrite` replaces its own files, never the replay's.
        let again = sink(dir, tag: nil, overwrite: true)
        try again.preflight()
        try again.startFresh(.first)
        let n1 = try await Contract.write([("b", 3)], to: try again.makeWriter(subtask: 0, parallelism: 2), checkpoint: 1)
        let n2 = try await Contract.write([("c", 4)], to: try again.makeWriter(subtask: 1, parallelism: 2), checkpoint: 1, subtask: 1)
        try again.commit([n1, n2], checkpoint: 1)
        #expect(names(dir) == ["part-out-00000-000000.csv", "part-out-00001-000000.csv", "part-out-replay-1-00000-000000.csv"])
        #expect(try String(contentsOf: dir.appendingPathComponent("part-out-replay-1-00000-000000.csv"), encoding: .utf8) == "r,2\n")
    }

    /// Recovery of one run removes its own files written after the checkpoint and in-progress files,
    /// and nothing of the other run, which may be running at that moment.
    @Test func recoveryTouchesOnlyItsOwnTag() async throws {
        let dir = Contract.destination()
        let main = sink(dir, tag: nil)
        try Contract.prepare(main)
        let mainWriter = try main.makeWriter(subtask: 0, parallelism: 1)
        let m1 = try await Contract.write([("a", 1)], to: mainWriter, checkpoint: 1)
        let m2 = try await Contract.write([("b", 2)], to: mainWriter, checkpoint: 2)
        try main.commit([m1, m2], checkpoint: 2)
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await mainWriter.process(RecordBatch(schema: Contract.schema, rows: [[.string("open"), .int(0)]]), context: context)
        let before = names(dir)
        #expect(before.contains { $0.hasPrefix(".part-out-00000-") }, "the job's own open file: \(before)")

        let replay = sink(dir, tag: "replay-1")
        try replay.preflight()
        try replay.startFresh(.first)
        try replay.recover([], checkpoint: 1)
        #expect(names(dir) == before)
        let r1 = try await Contract.write([("r", 1)], to: try replay.makeWriter(subtask: 0, parallelism: 1), checkpoint: 1)
        try replay.commit([r1], checkpoint: 1)

        let resumed = sink(dir, tag: nil)
        try resumed.recover([m1], checkpoint: 1)
        #expect(names(dir) == ["part-out-00000-000000.csv", "part-out-replay-1-00000-000000.csv"])
    }
}
