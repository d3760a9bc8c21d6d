import Foundation
import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// `streamrun state dump`: each kind of state, snapshotted from a real state machine or reader and
/// dumped as exact JSON lines (in key group, then key order).
@Suite struct StateDumpTests {
    @Test func windowIntKeyAcrossTwoSubtasks() throws {
        let s = try DumpJob.windowSnapshot("per-auction", IntStateKey.self)
        // Subtask 1 (key groups 64-127) is listed first: the dump still goes by key group.
        let lines = try DumpJob.dump("per-auction", type: "window", DumpJob.split(s, parallelism: 2).reversed())
        #expect(lines == [
            #"{"keyGroup":105,"key":{"auction":1008},"window":{"start":1704067210000,"end":1704067220000},"fired":false,"aggregates":{"count":1,"top":50,"avg":50.0,"first":"Google"}}"#,
            #"{"keyGroup":127,"key":{"auction":1007},"window":{"start":1704067200000,"end":1704067210000},"fired":true,"aggregates":{"count":1,"top":100,"avg":100.0,"first":"Google"}}"#,
            #"{"keyGroup":127,"key":{"auction":1007},"window":{"start":1704067210000,"end":1704067220000},"fired":false,"aggregates":{"count":3,"top":120,"avg":96.66666666666667,"first":"Apple"}}"#,
        ])
    }

    @Test func sessionWindowWithStringAndBoolKey() throws {
        let s = try DumpJob.windowSnapshot("by-channel", BytesStateKey.self)
        #expect(try DumpJob.dump("by-channel", type: "window", [s]) == [
            #"{"keyGroup":12,"key":{"channel":"Apple","vip":true},"window":{"start":1704067211000,"end":1704067216000},"fired":false,"aggregates":{"n":1,"total":120}}"#,
            #"{"keyGroup":13,"key":{"channel":"Google","vip":false},"window":{"start":1704067212000,"end":1704067220000},"fired":false,"aggregates":{"n":3,"total":220}}"#,
        ])
    }

    @Test func globalWindowHasAnEmptyKey() throws {
        let s = try DumpJob.windowSnapshot("all", BytesStateKey.self)
        #expect(try DumpJob.dump("all", type: "window", [s]) == [
            #"{"keyGroup":38,"key":{},"window":{"start":1704067200000,"end":1704067260000},"fired":false,"aggregates":{"n":5,"last":1704067215000}}"#,
        ])
    }

    @Test func dedupeKeysWithTheirLastSeenTime() throws {
        let s = try DumpJob.dedupeSnapshot()
        #expect(try DumpJob.dump("once", type: "dedupe", DumpJob.split(s, parallelism: 3)) == [
            #"{"keyGroup":21,"key":{"auction":1007,"channel":"Apple"},"lastSeen":1704067211000}"#,
            #"{"keyGroup":50,"key":{"auction":1008,"channel":"Google"},"lastSeen":1704067212000}"#,
            #"{"keyGroup":99,"key":{"auction":1007,"channel":"Google"},"lastSeen":1704067201000}"#,
        ])
    }

    @Test func fileSourceSplitsAndCursor() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("statedump-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let line = #"{"id": 1, "t": 1704067200000}"#  // 29 bytes and a newline
        try Data(String(repeating: line + "\n", count: 4).utf8).write(to: dir.appendingPathComponent("in.jsonl"))
        let spec = SourceSpec(id: "in", kind: .file, path: dir.path, format: .jsonl,
                              schema: Schema([Field("id", .int), Field("t", .timestamp)]), eventTime: EventTimeSpec(field: "t"), splitBytes: 62)
        let reader = try FileSourceReader(spec: spec, subtask: 0, parallelism: 1, stop: StopFlag()) { RecordDecoders.make(for: spec) }
        _ = try await reader.next()  // split 0 (bytes 0..<62): the records starting at 0, 30 and 60
        let s = DumpJob.snapshot("in", reader.snapshotState(checkpoint: 1)!)
        let file = dir.appendingPathComponent("in.jsonl").path
        #expect(try StateDescription.lines(type: "source:file", node: nil, snapshots: [s], maxParallelism: 128) == [
            #"{"subtask":0,"cursor":1,"splits":[{"split":0,"path":"\#(file)","start":0,"end":62,"offset":90,"finished":true,"maxEventTime":1704067200000},{"split":1,"path":"\#(file)","start":62,"end":null,"offset":62,"finished":false,"maxEventTime":null}]}"#,
        ])
    }

    @Test func generatorSplitPositions() async throws {
        let spec = SourceSpec(id: "g", kind: .generator, eventTime: EventTimeSpec(field: "dateTime"), seed: 3, count: 5_000, splits: 2)
        let reader = GeneratorSourceReader(spec: spec, subtask: 0, parallelism: 1, stop: StopFlag())
        _ = try await reader.next()  // split 0's first block
        let s = DumpJob.snapshot("g", reader.snapshotState(checkpoint: 1)!)
        let last = NexmarkGenerator(seed: 3).batch(2047..<2048)
        guard case .int(let times) = last.columns[5].storage else { throw StreamrunError(.internalError, "no time column") }
        #expect(try StateDescription.lines(type: "source:generator", node: nil, snapshots: [s], maxParallelism: 128) == [
            #"{"subtask":0,"splits":[{"split":0,"position":2048,"finished":false,"maxEventTime":\#(times[0])},{"split":1,"position":0,"finished":false,"maxEventTime":null}]}"#,
        ])
    }

    @Test func fileSinkPendingFilesAndSequences() throws {
        let pending = [FileCommitter.Pending(inProgress: "out/dt=2024-01-01/.part-out-00001-000004.csv.inprogress",
                                             final: "out/dt=2024-01-01/part-out-00001-000004.csv", directory: "out/dt=2024-01-01")]
        let subtask1 = FileSinkState(pending: pending, sequences: [1: ["dt=2024-01-02": 1, "dt=2024-01-01": 5]])
        let snapshots = [
            OperatorSnapshot(operatorID: "out", subtask: 1, parallelism: 2, maxParallelism: 128, named: subtask1.payload()),
            OperatorSnapshot(operatorID: "out", subtask: 0, parallelism: 2, maxParallelism: 128, named: FileSinkState(pending: [], sequences: [:]).payload()),
        ]
        #expect(try StateDescription.lines(type: "sink:file", node: nil, snapshots: snapshots, maxParallelism: 128) == [
            #"{"subtask":0,"pending":[],"sequences":{}}"#,
            #"{"subtask":1,"pending":[{"final":"out/dt=2024-01-01/part-out-00001-000004.csv","inProgress":"out/dt=2024-01-01/.part-out-00001-000004.csv.inprogress","directory":"out/dt=2024-01-01"}],"sequences":{"1":{"dt=2024-01-01":5,"dt=2024-01-02":1}}}"#,
        ])
    }

    @Test func statelessOperatorsPrintNothing() throws {
        #expect(try StateDescription.lines(type: "filter", node: nil, snapshots: [], maxParallelism: 128) == [])
    }

    @Test func stateOfTheWrongShapeIsAnError() throws {
        // A window's state decoded with another window's aggregates.
        let s = try DumpJob.windowSnapshot("per-auction", IntStateKey.self)
        #expect(throws: StreamrunError.self) { try DumpJob.dump("all", type: "window", [s]) }
    }
}
