import Foundation
import Testing

/// Issue 11, item 16: `maxRecordsPerSecond` was divided by the parallelism even for a subtask without
/// a split: 1000/s at parallelism 2 over one small file ran at ~500/s.
///
/// No clock in the assertions: two sources with the same rate and the same number of records run
/// side by side into one stdout sink, `a` at parallelism 2 over one file (one split, so one subtask
/// has nothing to read), `b` at parallelism 1. Reading at the same rate, `a` has written nearly all
/// its records when `b` writes its last; at half the rate (the bug), about half.
@Suite struct RateLimitTests {
    static let job = #"""
        { "name": "rate", "parallelism": 2,
          "sources": [
            { "id": "a", "type": "file", "path": "a.jsonl", "parallelism": 2, "maxRecordsPerSecond": 1000,
              "schema": { "src": "string", "n": "int" } },
            { "id": "b", "type": "file", "path": "b.jsonl", "parallelism": 1, "maxRecordsPerSecond": 1000,
              "schema": { "src": "string", "n": "int" } } ],
          "sinks": [{ "id": "out", "type": "stdout", "inputs": ["a", "b"], "parallelism": 1 }] }
        """#

    @Test func aSubtaskWithoutASplitDoesNotHalveTheSourceRate() throws {
        let dir = try Harness.tempDir()
        let n = 2000
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        for src in ["a", "b"] {
            let text = (0..<n).map { #"{"src": "\#(src)", "n": \#($0)}"# + "\n" }.joined()
            try Harness.write(text, to: dir.appendingPathComponent("\(src).jsonl"))
        }
        let r = try Harness.run(["-q", "job.json"], cwd: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let sources = r.stdout.split(separator: "\n").compactMap { line -> Character? in
            line.hasPrefix(#"{"src":""#) ? line.dropFirst(8).first : nil
        }
        #expect(sources.filter { $0 == "a" }.count == n && sources.filter { $0 == "b" }.count == n)
        let lastB = sources.lastIndex(of: "b") ?? 0
        let aBeforeLastB = sources[..<lastB].filter { $0 == "a" }.count
        #expect(aBeforeLastB >= n * 8 / 10, "a wrote \(aBeforeLastB) of \(n) records while b wrote all \(n)")
    }
}
