import Foundation
import Testing

/// Issue 11, items 12–14 ("Input and messages"), through the built binary: invalid UTF-8 in a string
/// field, a null or missing event time, and a byte order mark at the start of a file.
@Suite struct InputEncodingTests {
    static func write(_ bytes: [UInt8], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func csvJob(header: Bool) -> String {
        #"""
        { "name": "t", "parallelism": 2,
          "sources": [{ "id": "bids", "type": "file", "path": "in", "format": "csv", "header": \#(header),
                        "schema": { "auction": "int", "price": "int", "channel": "string" } }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" }] }
        """#
    }

    static func expectBadRecord(_ r: Harness.Result, at place: String, _ what: String, out: URL) {
        #expect(r.status == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.contains(place), "stderr: \(r.stderr)")
        #expect(r.stderr.contains(what), "stderr: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count <= 2, "one message expected: \(r.stderr)")
        #expect(Harness.tree(out).isEmpty, "output left behind: \(Harness.tree(out).keys)")
    }

    // MARK: Item 12: invalid UTF-8

    /// Reproduction: a JSONL record whose "channel" holds the byte 0xFF was accepted and written raw,
    /// making the output invalid JSONL. Now it is a bad record: file:line, the field, exit 1, no output.
    @Test func invalidUTF8InAJSONLStringFieldIsABadRecord() throws {
        let dir = try Harness.tempDir()
        try Harness.write(BadInputTests.job, to: dir.appendingPathComponent("job.json"))
        try Harness.write(BadInputTests.goodLines(3000), to: dir.appendingPathComponent("in/a.jsonl"))
        let bad = Array(#"{"auction": 7, "price": 1, "channel": "caf"#.utf8) + [0xFF] + Array("\"}\n".utf8)
        try Self.write(Array(BadInputTests.goodLines(41).utf8) + bad + Array(BadInputTests.goodLines(5).utf8),
                       to: dir.appendingPathComponent("in/b.jsonl"))
        let r = try Harness.run(["job.json"], cwd: dir)
        Self.expectBadRecord(r, at: "in/b.jsonl:42:", #"field "channel": invalid UTF-8 (byte 0xFF after "caf")"#,
                             out: dir.appendingPathComponent("out"))
    }

    /// Reproduction: the same byte in a CSV string field (here the last field, in quotes, on line 3).
    @Test func invalidUTF8InACSVStringFieldIsABadRecord() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.csvJob(header: true), to: dir.appendingPathComponent("job.json"))
        try Self.write(Array("auction,price,channel\n1,10,a\n2,20,\"b".utf8) + [0xC3, 0x28] + Array("\"\n3,30,c\n".utf8),
                       to: dir.appendingPathComponent("in/a.csv"))
        let r = try Harness.run(["job.json"], cwd: dir)
        Self.expectBadRecord(r, at: "in/a.csv:3:", #"field "channel": invalid UTF-8"#, out: dir.appendingPathComponent("out"))
    }

    // MARK: Item 13: null or missing event time

    static let eventTimeJob = #"""
        { "name": "t", "parallelism": 2,
          "sources": [{ "id": "bids", "type": "file", "path": "in", "format": "jsonl",
                        "schema": { "auction": "int", "dateTime": "timestamp" }, "eventTime": { "field": "dateTime" } }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "csv" }] }
        """#

    static func timedLines(_ n: Int) -> String {
        (0..<n).map { #"{"auction": \#($0), "dateTime": \#(1_704_067_200_000 + $0)}"# + "\n" }.joined()
    }

    /// Reproduction: `event time field "dateTime" is null in a record` named only the file. Now the
    /// message has the record's file and line.
    @Test func nullEventTimeNamesFileAndLine() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.eventTimeJob, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.timedLines(56) + #"{"auction": 99, "dateTime": null}"# + "\n" + Self.timedLines(3),
                          to: dir.appendingPathComponent("in/a.jsonl"))
        let r = try Harness.run(["job.json"], cwd: dir)
        Self.expectBadRecord(r, at: "in/a.jsonl:57:", #"event time field "dateTime" is null"#, out: dir.appendingPathComponent("out"))
    }

    /// Reproduction: a record without the event-time key became null silently, then failed with no line.
    @Test func missingEventTimeNamesFileAndLine() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.eventTimeJob, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.timedLines(9) + #"{"auction": 99}"# + "\n", to: dir.appendingPathComponent("in/a.jsonl"))
        let r = try Harness.run(["job.json"], cwd: dir)
        Self.expectBadRecord(r, at: "in/a.jsonl:10:", #"event time field "dateTime" is missing"#, out: dir.appendingPathComponent("out"))
    }

    // MARK: Item 14: a byte order mark

    /// Reproduction: a JSONL file starting with a BOM failed with `expected a JSON object, got byte 0xEF`.
    @Test func jsonlFileStartingWithAByteOrderMarkIsRead() throws {
        let dir = try Harness.tempDir()
        try Harness.write(BadInputTests.job, to: dir.appendingPathComponent("job.json"))
        try Self.write(Self.bom + Array(BadInputTests.goodLines(100).utf8), to: dir.appendingPathComponent("in/a.jsonl"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = Harness.sortedLines(dir.appendingPathComponent("out"))
        #expect(lines == (0..<100).map { "\($0),\($0 * 10),c\($0 % 3)" }.sorted())
    }

    /// Reproduction: a CSV file starting with a BOM failed with `expected int, got "﻿1000"` (the BOM
    /// invisible); with a header, the header is skipped as usual and the first record parses.
    @Test(arguments: [false, true])
    func csvFileStartingWithAByteOrderMarkIsRead(header: Bool) throws {
        let dir = try Harness.tempDir("csvBOM\(header)")
        try Harness.write(Self.csvJob(header: header), to: dir.appendingPathComponent("job.json"))
        let text = (header ? "auction,price,channel\n" : "") + "1000,5,x\n1001,6,y\n"
        try Self.write(Self.bom + Array(text.utf8), to: dir.appendingPathComponent("in/a.csv"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")) == [
            #"{"auction":1000,"price":5,"channel":"x"}"#, #"{"auction":1001,"price":6,"channel":"y"}"#,
        ])
    }

    /// Checkpoint offsets with a BOM: a checkpointed job over a BOM file cut in small splits, killed
    /// after its first checkpoints and resumed, writes every record exactly once (the split at
    /// offset 0 skips the mark; splits resumed at later offsets skip nothing).
    @Test func killedAndResumedJobOverAByteOrderMarkFileReadsEveryRecordOnce() throws {
        let dir = try Harness.tempDir()
        let job = BadInputTests.job
            .replacingOccurrences(of: #""format": "jsonl","#, with: #""format": "jsonl", "splitSize": "8KB", "maxRecordsPerSecond": 4000,"#)
            .replacingOccurrences(of: #""parallelism": 2,"#, with: #""parallelism": 2, "checkpoints": { "dir": "state", "interval": "100ms" },"#)
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        let n = 6000
        try Self.write(Self.bom + Array(BadInputTests.goodLines(n).utf8), to: dir.appendingPathComponent("in/a.jsonl"))
        let running = try Harness.start(["-q", "job.json"], cwd: dir)
        while running.isRunning && RecoveryGoldenTests.newestCheckpoint(dir) < 2 { usleep(10_000) }
        let killed = running.isRunning
        if killed { kill(running.pid, SIGKILL) }
        let first = running.finish()
        #expect(killed, "the job ended before a kill: \(first.stderr)")
        let r = try Harness.run(["-q", "job.json"], cwd: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = Harness.sortedLines(dir.appendingPathComponent("out"))
        #expect(lines == (0..<n).map { "\($0),\($0 * 10),c\($0 % 3)" }.sorted(), "\(lines.count) lines")
    }
}
