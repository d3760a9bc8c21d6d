import Foundation
import Testing

/// The savepoint workflow through the built binary and its control endpoint: a windowed job over a
/// throttled file source at parallelism 2 takes a savepoint while running, stops with a savepoint,
/// is restored at parallelism 1, stops with a savepoint again and is restored at parallelism 2 to
/// the end. The committed output holds exactly the lines of an uninterrupted run.
@Suite struct SavepointGoldenTests {
    static func job(parallelism: Int) -> String {
        #"""
        { "name": "sp-golden", "parallelism": \#(parallelism),
          "checkpoints": { "dir": "state", "interval": "200ms", "retain": 2 },
          "sources": [{ "id": "bids", "type": "file", "path": "bids.jsonl", "splitSize": "256KB", "maxRecordsPerSecond": 3000,
                        "schema": \#(RecoveryGoldenTests.bidSchema), "eventTime": { "field": "dateTime" } }],
          "operators": [
            { "id": "once", "type": "dedupe", "inputs": ["bids"], "keyBy": ["auction", "bidder", "price", "dateTime"], "within": "2s" },
            { "id": "per-auction", "type": "window", "inputs": ["once"], "keyBy": ["auction"],
              "window": { "type": "tumbling", "size": "300ms" },
              "aggregates": { "bids": "count()", "top": "max(price)", "avg": "avg(price)", "bidders": "count_distinct(bidder)" } } ],
          "sinks": [ { "id": "out", "type": "file", "inputs": ["per-auction"], "path": "out", "format": "csv", "partitionBy": "date(window_start)" } ] }
        """#
    }

    func prepare(_ name: String) throws -> URL {
        let dir = try Harness.tempDir(name)
        let gen = #"{ "name": "gen", "sources": [{ "id": "bids", "type": "generator", "seed": 21, "count": 40000 }], "sinks": [{ "id": "g", "type": "file", "inputs": ["bids"], "path": "gen", "format": "jsonl" }] }"#
        try Harness.write(gen, to: dir.appendingPathComponent("gen.json"))
        #expect(try Harness.run(["-q", "gen.json"], cwd: dir).status == 0)
        try FileManager.default.moveItem(at: dir.appendingPathComponent("gen/part-g-00000-000000.jsonl"), to: dir.appendingPathComponent("bids.jsonl"))
        return dir
    }

    /// Waits (by progress, not time) until `count` more checkpoints exist and the control endpoint is up.
    func waitForCheckpoints(_ dir: URL, _ count: Int, _ job: Harness.Background) {
        let target = RecoveryGoldenTests.newestCheckpoint(dir) + count
        let control = dir.appendingPathComponent("state/control.json").path
        while job.isRunning && (RecoveryGoldenTests.newestCheckpoint(dir) < target || !FileManager.default.fileExists(atPath: control)) {
            usleep(10_000)
        }
    }

    func savepointPath(_ r: Harness.Result) -> String {
        r.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func savepointStopRescaleRestoreMatchesAnUninterruptedRun() throws {
        let a = try prepare("sp-golden-a")
        try Harness.write(Self.job(parallelism: 2), to: a.appendingPathComponent("job.json"))
        let ra = try Harness.run(["-q", "job.json"], cwd: a)
        try #require(ra.status == 0, "\(ra.stderr)")
        let expected = Harness.sortedLines(a.appendingPathComponent("out"))
        #expect(expected.count > 100)

        let b = try prepare("sp-golden-b")
        try Harness.write(Self.job(parallelism: 2), to: b.appendingPathComponent("job.json"))
        let first = try Harness.start(["job.json"], cwd: b)
        waitForCheckpoints(b, 2, first)
        // A savepoint while running: the job keeps going.
        let sp1 = try Harness.run(["savepoint", "job.json"], cwd: b)
        #expect(sp1.status == 0, "\(sp1.stderr)")
        #expect(savepointPath(sp1).contains("/savepoints/sp-golden/sp-"), "\(sp1.stdout)")
        #expect(FileManager.default.fileExists(atPath: savepointPath(sp1) + "/_manifest.json"))
        waitForCheckpoints(b, 2, first)
        let stop1 = try Harness.run(["stop", "job.json", "--savepoint"], cwd: b)
        #expect(stop1.status == 0, "\(stop1.stderr)")
        let r1 = first.finish()
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r1.stderr.contains("stopped at checkpoint"), "\(r1.stderr)")
        let sp2 = savepointPath(stop1)
        #expect(sp2 != savepointPath(sp1) && FileManager.default.fileExists(atPath: sp2 + "/_manifest.json"), "\(stop1.stdout)")
        #expect(Harness.sortedLines(b.appendingPathComponent("out")).count < expected.count, "stopped before the end")

        // Restore at parallelism 1, then stop again with a savepoint.
        try Harness.write(Self.job(parallelism: 1), to: b.appendingPathComponent("job.json"))
        let check = try Harness.run(["restore", "--check", "job.json", sp2], cwd: b)
        #expect(check.status == 0 && check.stdout.contains("parallelism 2 → 1"), "\(check.stdout)\(check.stderr)")
        let second = try Harness.start(["job.json", "--from-savepoint", sp2], cwd: b)
        waitForCheckpoints(b, 1, second)
        let stop2 = try Harness.run(["stop", "job.json", "--savepoint"], cwd: b)
        #expect(stop2.status == 0, "\(stop2.stderr)")
        let r2 = second.finish()
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(r2.stderr.contains("resuming from"), "\(r2.stderr)")
        let sp3 = savepointPath(stop2)

        // Restore at parallelism 2 and run to the end.
        try Harness.write(Self.job(parallelism: 2), to: b.appendingPathComponent("job.json"))
        let last = try Harness.run(["job.json", "--from-savepoint", sp3], cwd: b)
        #expect(last.status == 0, "\(last.stderr)")
        let got = Harness.sortedLines(b.appendingPathComponent("out"))
        #expect(got == expected, "got \(got.count) lines, want \(expected.count); missing \(Set(expected).subtracting(got).count), extra \(Set(got).subtracting(expected).count)")
        let hidden = Harness.tree(b.appendingPathComponent("out")).keys.filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }
        #expect(hidden.isEmpty, "left behind: \(hidden)")
    }
}
