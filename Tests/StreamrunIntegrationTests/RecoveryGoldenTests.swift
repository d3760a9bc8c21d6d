import Foundation
import StreamrunCore
import Testing

/// Golden recovery: run a checkpointed job to the end (output A); run it again, SIGKILL it at seeded
/// random moments and rerun until it finishes (output B). Every sink subtask's committed stream — its
/// part files concatenated in name order, per partition — must be byte-identical in A and B, with
/// every record exactly once and no in-progress file left. The seed is printed.
@Suite struct RecoveryGoldenTests {
    static let bidSchema = #"{"auction": "int", "bidder": "int", "price": "int", "channel": "string", "url": "string", "dateTime": "timestamp", "extra": "string"}"#

    static func job(source: String) -> String {
        #"""
        { "name": "golden", "parallelism": 2,
          "checkpoints": { "dir": "state", "interval": "150ms", "retain": 2 },
          "sources": [\#(source)],
          "operators": [
            { "id": "big", "type": "filter", "inputs": ["bids"], "where": "price > 500" },
            { "id": "eur", "type": "map", "inputs": ["big"], "set": { "eur": "round(price * 0.908, 2)", "channel": "lower(channel)" },
              "select": ["auction", "bidder", "channel", "eur", "dateTime"] } ],
          "sinks": [
            { "id": "out", "type": "file", "inputs": ["eur"], "path": "out", "format": "csv",
              "partitionBy": "concat('a', string(auction % 3))", "partitionKey": "bucket" } ] }
        """#
    }

    static func windowJob(source: String) -> String {
        #"""
        { "name": "golden-window", "parallelism": 2,
          "checkpoints": { "dir": "state", "interval": "150ms", "retain": 2 },
          "sources": [\#(source)],
          "operators": [
            { "id": "once", "type": "dedupe", "inputs": ["bids"], "keyBy": ["auction", "bidder", "price", "dateTime"], "within": "5s" },
            { "id": "per-auction", "type": "window", "inputs": ["once"], "keyBy": ["auction"],
              "window": { "type": "tumbling", "size": "200ms" },
              "aggregates": { "bids": "count()", "top": "max(price)", "avg": "avg(price)", "bidders": "count_distinct(bidder)", "low": "min(bidder)" } } ],
          "sinks": [ { "id": "out", "type": "file", "inputs": ["per-auction"], "path": "out", "format": "csv" } ] }
        """#
    }

    static let fileSource = #"{ "id": "bids", "type": "file", "path": "bids.jsonl", "splitSize": "256KB", "maxRecordsPerSecond": 8000, "schema": \#(bidSchema), "eventTime": { "field": "dateTime" } }"#
    static let generatorSource = #"{ "id": "bids", "type": "generator", "seed": 11, "count": 24000, "splits": 5, "maxRecordsPerSecond": 8000, "eventTime": { "field": "dateTime" } }"#

    /// Per sink subtask and partition: the committed files concatenated in name order.
    static func streams(_ out: URL) -> [String: String] {
        var byStream: [String: [(String, String)]] = [:]
        for (path, text) in Harness.tree(out) {
            let parts = path.split(separator: "/")
            let name = String(parts.last!)
            #expect(!name.hasPrefix("."), "left behind: \(path)")
            let subtask = name.split(separator: "-").dropFirst(2).first.map(String.init) ?? "?"
            byStream[parts.dropLast().joined(separator: "/") + "#" + subtask, default: []].append((name, text))
        }
        return byStream.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1).joined() }
    }

    /// Runs `job.json` in `dir` `attempts` times, SIGKILLing each run after a seeded number of new
    /// checkpoints plus a seeded delay. Progress, not wall-clock time, decides: a parallel test run can
    /// starve this test's own timers. Returns the kills, and notes on attempts that exited by themselves.
    static func killAtSeededCheckpoints(_ dir: URL, rng: inout TestRandom, attempts: Int = 3) throws -> (kills: Int, notes: [String]) {
        var kills = 0
        var notes: [String] = []
        for _ in 0..<attempts {
            let job = try Harness.start(["-q", "job.json"], cwd: dir)
            let target = newestCheckpoint(dir) + Int(1 + rng.next() % 4)
            while job.isRunning && newestCheckpoint(dir) < target { usleep(10_000) }
            usleep(useconds_t(rng.next() % 120_000))
            if job.isRunning {
                kill(job.pid, SIGKILL)
                kills += 1
            }
            let (status, text) = job.finish()
            if job.process.terminationReason == .exit { notes.append("attempt exited \(status): \(text)") }
        }
        return (kills, notes)
    }

    /// The highest checkpoint id in the job's checkpoint directory (0 if none).
    static func newestCheckpoint(_ dir: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("state").path)) ?? []
        return names.compactMap { $0.hasPrefix("chk-") ? Int($0.dropFirst(4)) : nil }.max() ?? 0
    }

    func prepare(_ name: String, source: String, windowed: Bool = false) throws -> URL {
        let dir = try Harness.tempDir(name)
        try Harness.write(windowed ? Self.windowJob(source: source) : Self.job(source: source), to: dir.appendingPathComponent("job.json"))
        if source.contains("bids.jsonl") {
            let gen = #"{ "name": "gen", "sources": [{ "id": "bids", "type": "generator", "seed": 4, "count": 24000 }], "sinks": [{ "id": "g", "type": "file", "inputs": ["bids"], "path": "gen", "format": "jsonl" }] }"#
            try Harness.write(gen, to: dir.appendingPathComponent("gen.json"))
            #expect(try Harness.run(["-q", "gen.json"], cwd: dir).status == 0)
            try FileManager.default.moveItem(at: dir.appendingPathComponent("gen/part-g-00000-000000.jsonl"), to: dir.appendingPathComponent("bids.jsonl"))
        }
        return dir
    }

    @Test(arguments: ["file", "generator", "window"])
    func killedAndResumedRunWritesTheSameOutput(_ kind: String) async throws {
        let source = kind == "generator" ? Self.generatorSource : Self.fileSource
        let windowed = kind == "window"
        let a = try prepare("golden-a-\(kind)", source: source, windowed: windowed)
        let ra = try Harness.run(["job.json"], cwd: a)
        #expect(ra.status == 0, "\(ra.stderr)")
        let expected = Self.streams(a.appendingPathComponent("out"))
        #expect(expected.count >= (windowed ? 2 : 4))

        let seed = UInt64.random(in: 0...UInt64.max)
        print("RecoveryGoldenTests[\(kind)] seed", seed)
        var rng = TestRandom(seed: seed)
        let b = try prepare("golden-b-\(kind)", source: source, windowed: windowed)
        let (kills, notes) = try Self.killAtSeededCheckpoints(b, rng: &rng)
        let rb = try Harness.run(["job.json"], cwd: b)
        #expect(rb.status == 0, "seed \(seed): \(rb.stderr)")
        #expect(kills > 0, "seed \(seed): the job finished before any kill: \(notes)")
        let got = Self.streams(b.appendingPathComponent("out"))
        #expect(got.keys.sorted() == expected.keys.sorted(), "seed \(seed)")
        for (k, v) in expected {
            let same = got[k] == v
            #expect(same, "seed \(seed): stream \(k) differs (\(got[k]?.count ?? 0) vs \(v.count) bytes)")
        }
    }
}

/// A seeded random source for tests.
typealias TestRandom = SplitMix64
