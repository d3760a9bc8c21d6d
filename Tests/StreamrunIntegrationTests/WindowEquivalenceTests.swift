import Foundation
import Testing

/// The Nexmark q5 shape (tumbling 10 s, count per auction) over 1M bids gives the same sorted output
/// at parallelism 1 and 2, whether the input is one file or the same records cut into three files.
@Suite struct WindowEquivalenceTests {
    static let bidSchema = #"{"auction": "int", "bidder": "int", "price": "int", "channel": "string", "url": "string", "dateTime": "timestamp", "extra": "string"}"#

    static func q5(input: String, parallelism: Int) -> String {
        #"""
        { "name": "q5", "parallelism": \#(parallelism),
          "sources": [{ "id": "bids", "type": "file", "path": "\#(input)", "schema": \#(bidSchema),
                        "eventTime": { "field": "dateTime", "maxOutOfOrderness": "0s" } }],
          "operators": [{ "id": "counts", "type": "window", "inputs": ["bids"], "keyBy": ["auction"],
                          "window": { "type": "tumbling", "size": "10s" }, "aggregates": { "count": "count()" } }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["counts"], "path": "out", "format": "csv" }] }
        """#
    }

    @Test func q5SameOutputAtAnyParallelismAndSplitting() throws {
        let dir = try Harness.tempDir()
        let events = 1_000_000
        // The input, written by the engine's own generator at parallelism 1 (bids in event-time order).
        let gen = #"""
            { "name": "gen", "sources": [{ "id": "bids", "type": "generator", "seed": 5, "count": \#(events) }],
              "sinks": [{ "id": "g", "type": "file", "inputs": ["bids"], "path": "one", "format": "jsonl", "rollSize": "1GB" }] }
            """#
        try Harness.write(gen, to: dir.appendingPathComponent("gen.json"))
        let g = try Harness.run(["-q", "gen.json"], cwd: dir, timeout: 600)
        #expect(g.status == 0, "\(g.stderr)")
        // The same records cut into three files by line ranges.
        let one = try String(contentsOf: dir.appendingPathComponent("one/part-g-00000-000000.jsonl"), encoding: .utf8)
        let lines = one.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == events)
        let third = lines.count / 3
        for (k, range) in [0..<third, third..<(2 * third), (2 * third)..<lines.count].enumerated() {
            try Harness.write(lines[range].joined(separator: "\n") + "\n", to: dir.appendingPathComponent("three/part-\(k).jsonl"))
        }
        var outputs: [String: [String]] = [:]
        for input in ["one", "three"] {
            for p in [1, 2] {
                let run = dir.appendingPathComponent("run-\(input)-\(p)")
                try Harness.write(Self.q5(input: "../\(input)", parallelism: p), to: run.appendingPathComponent("job.json"))
                let r = try Harness.run(["job.json"], cwd: run, timeout: 600)
                #expect(r.status == 0, "\(input) p=\(p): \(r.stderr)")
                #expect(!r.stderr.contains("late records"), "\(input) p=\(p): \(r.stderr)")
                outputs["\(input) p=\(p)"] = Harness.sortedLines(run.appendingPathComponent("out"))
            }
        }
        let reference = outputs["one p=1"]!
        let total = reference.reduce(0) { $0 + Int($1.split(separator: ",").last!)! }
        #expect(total == events)
        for (name, out) in outputs {
            let same = out == reference
            #expect(same, "\(name) differs from one p=1 (\(out.count) vs \(reference.count) rows)")
        }
    }
}
