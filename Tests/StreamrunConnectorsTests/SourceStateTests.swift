import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// Source checkpoints: snapshot every subtask mid-stream, restore at the same or another
/// parallelism, and every record is read exactly once in total.
@Suite struct SourceStateTests {
    static let schema = Schema([Field("id", .int), Field("t", .timestamp)])

    static func ids(_ out: SourceOutput?) -> [Int64] {
        guard case .records(let b) = out, case .int(let a) = b.columns[0].storage else { return [] }
        return a
    }

    /// Reads everything left; returns the ids.
    static func drain(_ r: any SourceReader) async throws -> [Int64] {
        var ids: [Int64] = []
        while let o = try await r.next() { ids += Self.ids(o) }
        return ids
    }

    func fileSpec(_ dir: URL) -> SourceSpec {
        SourceSpec(id: "in", kind: .file, path: dir.path, format: .jsonl, schema: Self.schema,
                   eventTime: EventTimeSpec(field: "t"), splitBytes: 700)
    }

    func fileReader(_ spec: SourceSpec, _ i: Int, _ p: Int, restore: [SplitState]? = nil) throws -> FileSourceReader {
        try FileSourceReader(spec: spec, subtask: i, parallelism: p, stop: StopFlag(), restore: restore) {
            RecordDecoders.make(for: spec)
        }
    }

    @Test(arguments: [(2, 1), (2, 2), (2, 3), (1, 2)])
    func fileSourceResumesExactlyOnce(_ before: Int, _ after: Int) async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("SourceStateTests seed", seed)
        var rng = TestRandom(seed: seed)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("srcstate-\(seed)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var n: Int64 = 0
        for f in 0..<3 {
            var text = ""
            for _ in 0..<(200 + Int(rng.next() % 300)) {
                text += #"{"id": \#(n), "t": \#(n * 10)}"# + "\n"
                n += 1
            }
            try Data(text.utf8).write(to: dir.appendingPathComponent("f\(f).jsonl"))
        }
        let spec = fileSpec(dir)
        var seen: [Int64] = []
        var payloads: [SnapshotPayload] = []
        for i in 0..<before {
            let r = try fileReader(spec, i, before)
            for _ in 0..<Int(rng.next() % 6) { seen += Self.ids(try await r.next()) }
            payloads.append(r.snapshotState(checkpoint: 1)!)
        }
        let restored = try SplitState.union(payloads.map(\.named))
        for i in 0..<after {
            seen += try await Self.drain(try fileReader(spec, i, after, restore: restored))
        }
        #expect(seen.count == Int(n), "seed \(seed): \(seen.count) records read, \(n) in the files")
        #expect(Set(seen).count == seen.count, "seed \(seed): duplicates")
    }

    @Test func generatorResumesExactlyOnceAtAnotherParallelism() async throws {
        let spec = SourceSpec(id: "g", kind: .generator, eventTime: EventTimeSpec(field: "dateTime"), seed: 3, count: 20_000, splits: 4)
        func reader(_ i: Int, _ p: Int, _ restore: [SplitState]? = nil) -> GeneratorSourceReader {
            GeneratorSourceReader(spec: spec, subtask: i, parallelism: p, stop: StopFlag(), restore: restore)
        }
        func auctionsAndTimes(_ o: SourceOutput?) -> [Int64] {
            guard case .records(let b) = o, case .int(let t) = b.columns[5].storage else { return [] }
            return t
        }
        var before: [Int64] = []
        var payloads: [SnapshotPayload] = []
        for i in 0..<2 {
            let r = reader(i, 2)
            for _ in 0..<(i + 2) { before += auctionsAndTimes(try await r.next()) }
            payloads.append(r.snapshotState(checkpoint: 1)!)
        }
        let r = reader(0, 1, try SplitState.union(payloads.map(\.named)))
        var after: [Int64] = []
        while let o = try await r.next() { after += auctionsAndTimes(o) }
        // Bid n's dateTime identifies it (10 per ms, in order): together they are exactly bids 0..<20000.
        let all = (before + after).sorted()
        let reference = NexmarkGenerator(seed: 3).batch(0..<20_000)
        guard case .int(let expected) = reference.columns[5].storage else { Issue.record("no times"); return }
        #expect(all == expected.sorted())
    }

    @Test func stateEncodingIsVersionedAndChecked() throws {
        let s = [SplitState(index: 3, path: "a/b.jsonl", start: 0, end: .max, position: 1234, finished: false, maxEventTime: .min)]
        let bytes = SplitState.encode(s)
        #expect(try SplitState.decode(bytes) == s)
        var bad = bytes
        bad[0] = 99
        #expect(throws: StreamrunError.self) { try SplitState.decode(bad) }
        #expect(throws: StreamrunError.self) { try SplitState.decode(Array(bytes.dropLast())) }
    }
}
