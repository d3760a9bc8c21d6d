import Foundation
import Testing

/// Runtime errors: a bad record, a missing input, an unwritable output. One message naming the
/// place, a non-zero exit, and no output left behind — committed or hidden.
@Suite struct BadInputTests {
    static let job = #"""
        { "name": "t", "parallelism": 2,
          "sources": [{ "id": "bids", "type": "file", "path": "in", "format": "jsonl",
                        "schema": { "auction": "int", "price": "int", "channel": "string" } }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "csv" }] }
        """#

    static func goodLines(_ n: Int, from: Int = 0) -> String {
        (from..<(from + n)).map { #"{"auction": \#($0), "price": \#($0 * 10), "channel": "c\#($0 % 3)"}"# + "\n" }.joined()
    }

    @Test func malformedRecordNamesFileAndLine() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.goodLines(5000), to: dir.appendingPathComponent("in/a.jsonl"))
        try Harness.write(Self.goodLines(1234) + #"{"auction": "abc", "price": 1, "channel": "x"}"# + "\n" + Self.goodLines(10),
                          to: dir.appendingPathComponent("in/b.jsonl"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("in/b.jsonl:1235:"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains(#"field "auction": expected int"#), "stderr: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count <= 2, "one message expected: \(r.stderr)")
        #expect(Harness.tree(dir.appendingPathComponent("out")).isEmpty, "output left behind: \(Harness.tree(dir.appendingPathComponent("out")).keys)")
    }

    @Test func malformedRecordDeepInsideASplitGetsTheRightLine() throws {
        let dir = try Harness.tempDir()
        let job = Self.job.replacingOccurrences(of: #""format": "jsonl","#, with: #""format": "jsonl", "splitSize": 4096,"#)
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.goodLines(3000) + "{not json\n" + Self.goodLines(100), to: dir.appendingPathComponent("in/a.jsonl"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("in/a.jsonl:3001:"), "stderr: \(r.stderr)")
    }

    @Test func missingInputNamesTheSourcePath() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("sources[0].path"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("no such file or directory"), "stderr: \(r.stderr)")
    }

    @Test func unwritableOutputNamesTheSinkPath() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.goodLines(10), to: dir.appendingPathComponent("in/a.jsonl"))
        try Harness.write("I am a file, not a directory", to: dir.appendingPathComponent("out"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("sinks[0].path"), "stderr: \(r.stderr)")
    }
}
