import Foundation
import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Byte-range splits: whatever the split size, every line of a file is read by exactly one split,
/// in order.
@Suite struct FileSplitTests {
    static let schema = Schema([Field("id", .int), Field("pad", .string)])

    func readAll(_ split: FileSplit) throws -> [Int64] {
        let reader = SplitReader(split: split, decoder: RecordDecoders.make(.jsonl, schema: Self.schema), follow: false,
                                 bufferBytes: 256)
        var builder = BatchBuilder(schema: Self.schema)
        var ids: [Int64] = []
        while !reader.finished {
            let n = try reader.read(maxRows: 7, into: &builder)
            let b = builder.finish()
            guard case .int(let a) = b.columns[0].storage else { break }
            ids += a
            if n == 0 && !reader.finished { Issue.record("no progress"); break }
        }
        return ids
    }

    @Test func everyLineExactlyOnceForRandomSplitSizes() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("FileSplitTests seed", seed)
        var rng = TestRandom(seed: seed)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("splits-\(seed)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("f.jsonl").path
        let lines = 500
        var text = ""
        for i in 0..<lines {
            let pad = String(repeating: "x", count: Int(rng.next() % 600))  // some lines longer than the buffer
            text += #"{"id": \#(i), "pad": "\#(pad)"}"# + (rng.next() % 10 == 0 ? "\r\n" : "\n")
            if rng.next() % 50 == 0 { text += "\n" }  // blank lines
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        for _ in 0..<20 {
            let splitBytes = Int(1 + rng.next() % 3000)
            let splits = FileSplits.plan(files: [path], splittable: true, splitBytes: splitBytes)
            var ids: [Int64] = []
            for s in splits { ids += try readAll(s) }
            #expect(ids == (0..<Int64(lines)).map { $0 }, "splitBytes \(splitBytes), seed \(seed)")
        }
    }

    @Test func splitsDoNotDependOnParallelism() {
        let splits = (0..<10).map { FileSplit(path: "f", start: Int64($0) * 10, end: Int64($0 + 1) * 10, index: $0) }
        for p in 1...4 {
            let all = (0..<p).flatMap { FileSplits.assign(splits, subtask: $0, parallelism: p) }
            #expect(Set(all) == Set(splits))
            #expect(all.count == splits.count)
        }
    }
}
