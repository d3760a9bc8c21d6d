import Foundation
import Testing

/// With checkpoints, SIGTERM stops a job at a checkpoint without draining it (no window fires early),
/// and a later run — at the same or another parallelism — continues exactly there: the output of
/// run, stop, rescale 2 → 1, stop, rescale 1 → 2, finish is the output of one uninterrupted run.
@Suite struct StopAndRescaleTests {
    static func job(parallelism: Int) -> String {
        #"""
        { "name": "stop-rescale", "parallelism": \#(parallelism),
          "checkpoints": { "dir": "state", "interval": "150ms", "retain": 2 },
          "sources": [{ "id": "bids", "type": "file", "path": "bids.jsonl", "splitSize": "256KB", "maxRecordsPerSecond": 9000,
                        "schema": \#(RecoveryGoldenTests.bidSchema), "eventTime": { "field": "dateTime" } }],
          "operators": [
            { "id": "big", "type": "filter", "inputs": ["bids"], "where": "price > 100" },
            { "id": "per-auction", "type": "window", "inputs": ["big"], "keyBy": ["auction"],
              "window": { "type": "sliding", "size": "400ms", "slide": "200ms" },
              "aggregates": { "bids": "count()", "top": "max(price)", "bidders": "count_distinct(bidder)" } } ],
          "sinks": [ { "id": "out", "type": "file", "inputs": ["per-auction"], "path": "out", "format": "csv" } ] }
        """#
    }

    func prepare(_ name: String) throws -> URL {
        let dir = try Harness.tempDir(name)
        let gen = #"{ "name": "gen", "sources": [{ "id": "bids", "type": "generator", "seed": 9, "count": 24000 }], "sinks": [{ "id": "g", "type": "file", "inputs": ["bids"], "path": "gen", "format": "jsonl" }] }"#
        try Harness.write(gen, to: dir.appendingPathComponent("gen.json"))
        #expect(try Harness.run(["-q", "gen.json"], cwd: dir).status == 0)
        try FileManager.default.moveItem(at: dir.appendingPathComponent("gen/part-g-00000-000000.jsonl"), to: dir.appendingPathComponent("bids.jsonl"))
        return dir
    }

    /// Starts the job, waits for `checkpoints` new checkpoints (progress, not time), sends SIGTERM.
    func runAndStop(_ dir: URL, parallelism: Int, checkpoints: Int) throws -> (status: Int32, stderr: String) {
        try Harness.write(Self.job(parallelism: parallelism), to: dir.appendingPathComponent("job.json"))
        let job = try Harness.start(["job.json"], cwd: dir)
        let target = RecoveryGoldenTests.newestCheckpoint(dir) + checkpoints
        while job.isRunning && RecoveryGoldenTests.newestCheckpoint(dir) < target { usleep(10_000) }
        if job.isRunning { kill(job.pid, SIGTERM) }
        return job.finish()
    }

    @Test func stopRescaleAndFinishMatchesAnUninterruptedRun() throws {
        let a = try prepare("stop-rescale-a")
        try Harness.write(Self.job(parallelism: 2), to: a.appendingPathComponent("job.json"))
        let ra = try Harness.run(["-q", "job.json"], cwd: a)
        #expect(ra.status == 0, "\(ra.stderr)")
        let expected = Harness.sortedLines(a.appendingPathComponent("out"))
        #expect(expected.count > 100)

        let b = try prepare("stop-rescale-b")
        let first = try runAndStop(b, parallelism: 2, checkpoints: 3)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("stopped at checkpoint"), "\(first.stderr)")
        let partial = Harness.sortedLines(b.appendingPathComponent("out"))
        #expect(partial.count < expected.count, "the first run was meant to be stopped before the end")
        // Stopping at a checkpoint fires no window early: what is committed is part of the full output.
        let early = Set(partial).subtracting(expected)
        #expect(early.isEmpty, "\(early.count) committed lines are not in the full output (windows fired early), e.g. \(early.sorted().prefix(3))")

        let second = try runAndStop(b, parallelism: 1, checkpoints: 3)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming from checkpoint"), "\(second.stderr)")

        try Harness.write(Self.job(parallelism: 2), to: b.appendingPathComponent("job.json"))
        let last = try Harness.run(["job.json"], cwd: b)
        #expect(last.status == 0, "\(last.stderr)")
        let got = Harness.sortedLines(b.appendingPathComponent("out"))
        #expect(got == expected, "got \(got.count) lines, want \(expected.count); missing \(Set(expected).subtracting(got).count), extra \(Set(got).subtracting(expected).count)")
        let hidden = Harness.tree(b.appendingPathComponent("out")).keys.filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }
        #expect(hidden.isEmpty, "left behind: \(hidden)")
    }
}
