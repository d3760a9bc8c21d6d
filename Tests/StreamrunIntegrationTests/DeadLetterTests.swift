import Foundation
import Testing

/// Issue 12 through the built binary: every kind of bad record in a file is dead-lettered once, with
/// its file, offset, line, rule and raw bytes, or skipped with a warning naming `file:line`, and
/// `maxErrorRate` fails a job with too many. The corpora are seeded; the seed is printed.
@Suite struct DeadLetterTests {
    /// A job reading `path` with `onError` (and a dead-letter sink `dlq` for `"dead-letter"`) into
    /// the main sink `out`; `options` are more keys of the source (each followed by a comma).
    static func job(path: String = "bids.jsonl", format: String = "jsonl", onError: String = "dead-letter", options: String = "",
                    parallelism: Int = 2, checkpoints: String? = nil) -> String {
        let dead = onError == "dead-letter"
        return #"""
            { "name": "dl", "parallelism": \#(parallelism), \#(checkpoints.map { #""checkpoints": \#($0),"# } ?? "")
              "sources": [{ "id": "bids", "type": "file", "path": "\#(path)", "format": "\#(format)", "onError": "\#(onError)",
                            \#(dead ? #""deadLetter": "dlq","# : "") \#(options)
                            "schema": \#(RecoveryGoldenTests.bidSchema), "eventTime": { "field": "dateTime" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" }\#(
                dead ? #", { "id": "dlq", "type": "file", "path": "dlq", "format": "jsonl" }"# : "")] }
            """#
    }

    static let splitSize = 64 << 10
    static let maxRecordSize = 8 << 10
    /// Several splits (the corpus is about 5 MB), and records longer than maxRecordSize both just
    /// (one or two bytes) and by several splits.
    static let options = #""splitSize": "64KB", "maxRecordSize": "8KB","#

    /// A directory with `bids.jsonl`: the seeded corpus over 24000 generated bids.
    static func jsonlCorpus(_ name: String, seed: UInt64) throws -> (URL, DeadLetterCorpus) {
        let dir = try Harness.tempDir(name)
        let corpus = DeadLetterCorpus.jsonl(valid: try DeadLetterCorpus.generatedBids(count: 24000, in: dir), seed: seed,
                                            maxRecordSize: maxRecordSize, splitSize: splitSize)
        try Data(corpus.bytes).write(to: dir.appendingPathComponent("bids.jsonl"))
        return (dir, corpus)
    }

    @Test func everyBadRecordOfAJSONLinesFileIsDeadLetteredOnce() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("DeadLetterTests.jsonl seed", seed)
        let (dir, corpus) = try Self.jsonlCorpus("dead-letters-jsonl", seed: seed)
        #expect(Set(corpus.rules.keys) == ["syntax", "type", "eventTime", "utf8", "recordSize"])
        // Bad records that start exactly on a split boundary, straddle one, and hold whole splits.
        let s = Self.splitSize
        #expect(corpus.bad.contains { $0.offset > 0 && $0.offset % s == 0 })
        #expect(corpus.bad.contains { $0.offset % s != 0 && $0.offset / s != ($0.offset + $0.raw.count) / s })
        #expect(corpus.bad.contains { ($0.rawLength ?? 0) > 2 * s })
        try Harness.write(Self.job(options: Self.options), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "seed \(seed): \(r.stderr)")
        corpus.expectOutput(dir.appendingPathComponent("out"), seed: seed)
        corpus.expectDeadLetters(dir.appendingPathComponent("dlq"), file: "bids.jsonl", seed: seed)
        corpus.expectSummary(r.stderr, deadLettered: true, seed: seed)
        #expect(r.stderr.contains("  sink dlq (file): \(corpus.bad.count) records\n"), "\(r.stderr)")
    }

    /// CSV (one split): wrong numbers of fields, a quoted field over several lines (good, then a bad
    /// row whose line counts them; and bad itself), escaped quotes, and an unterminated quoted field
    /// at the end that takes the rest of the file.
    @Test func everyBadRecordOfACSVFileIsDeadLetteredOnce() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("DeadLetterTests.csv seed", seed)
        let dir = try Harness.tempDir("dead-letters-csv")
        let corpus = DeadLetterCorpus.csv(valid: try DeadLetterCorpus.generatedBids(count: 3000, in: dir), seed: seed)
        #expect(Set(corpus.rules.keys) == ["syntax", "type", "eventTime", "utf8", "columns"])
        try Data(corpus.bytes).write(to: dir.appendingPathComponent("bids.csv"))
        try Harness.write(Self.job(path: "bids.csv", format: "csv", options: #""header": true,"#), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "seed \(seed): \(r.stderr)")
        corpus.expectOutput(dir.appendingPathComponent("out"), seed: seed)
        corpus.expectDeadLetters(dir.appendingPathComponent("dlq"), file: "bids.csv", seed: seed)
        corpus.expectSummary(r.stderr, deadLettered: true, seed: seed)
    }

    /// `"onError": "skip"`: the good records only, the counts in the summary, and a warning naming
    /// `file:line` and the rule for each of the first ten bad records a subtask skipped.
    @Test func skippedBadRecordsAreCountedAndTheFirstOnesLogged() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("DeadLetterTests.skip seed", seed)
        let (dir, corpus) = try Self.jsonlCorpus("skip-bad-records", seed: seed)
        try Harness.write(Self.job(onError: "skip", options: Self.options), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "seed \(seed): \(r.stderr)")
        corpus.expectOutput(dir.appendingPathComponent("out"), seed: seed)
        corpus.expectSummary(r.stderr, deadLettered: false, seed: seed)
        // Nothing but the main output and the job's own files.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["bids.jsonl", "gen.json", "job.json", "out"])

        let byLine = Dictionary(uniqueKeysWithValues: corpus.bad.map { ($0.line, $0) })
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        let prefix = "warning: skipped a bad record at bids.jsonl:"
        var lines: Set<Int> = []
        for w in warnings {
            guard w.hasPrefix(prefix), let colon = w.dropFirst(prefix.count).firstIndex(of: " "),
                  let line = Int(w[w.index(w.startIndex, offsetBy: prefix.count)..<colon]), let b = byLine[line] else {
                Issue.record("seed \(seed): a warning for no bad record: \(w)")
                continue
            }
            #expect(w[colon...].hasPrefix(" (\(b.rule)): ") && w.count > prefix.count + 12, "seed \(seed): \(w)")
            #expect(lines.insert(line).inserted, "seed \(seed): line \(line) logged twice")
        }
        // Each of the two subtasks logs its first ten (this corpus has fewer than 100 bad records a subtask).
        #expect(corpus.bad.count >= 20 && corpus.bad.count < 200)
        #expect((10...20).contains(warnings.count), "seed \(seed): \(warnings.count) warnings: \(r.stderr)")
    }

    /// A file whose every 20th record is bad (5 %): one error naming the source and the rate, exit 1,
    /// with `{"rate": "1%", "window": 1000}`; with 10 % it finishes.
    @Test func maxErrorRateFailsTheJobWhenExceeded() throws {
        let dir = try Harness.tempDir("error-rate")
        let valid = try DeadLetterCorpus.generatedBids(count: 4000, in: dir)
        var rng = TestRandom(seed: 1)
        var c = DeadLetterCorpus()
        for (i, record) in valid.enumerated() {
            if i % 20 == 19 {
                c.addBad(DeadLetterCorpus.simpleKinds[i / 20 % DeadLetterCorpus.simpleKinds.count], base: record, rng: &rng,
                         maxRecordSize: Self.maxRecordSize, splitSize: Self.splitSize)
            } else {
                c.good(record)
            }
        }
        try Data(c.bytes).write(to: dir.appendingPathComponent("bids.jsonl"))
        for (rate, fails) in [("1%", true), ("10%", false)] {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("dlq"))
            let options = #""splitSize": "64KB", "maxErrorRate": { "rate": "\#(rate)", "window": 1000 },"#
            try Harness.write(Self.job(options: options), to: dir.appendingPathComponent("job.json"))
            let r = try Harness.run(["job.json"], cwd: dir)
            CheckpointDirs.expectNoStackTrace(r.stderr)
            if fails {
                #expect(r.status == 1, "\(r.stderr)")
                let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
                #expect(errors.count == 1, "\(r.stderr)")
                #expect(errors.first.map { $0.contains(#"source "bids""#) && $0.contains("1%") } == true, "\(r.stderr)")
            } else {
                #expect(r.status == 0, "\(r.stderr)")
                c.expectOutput(dir.appendingPathComponent("out"), seed: 1)
                c.expectDeadLetters(dir.appendingPathComponent("dlq"), file: "bids.jsonl", seed: 1)
            }
        }
    }

    /// The bound is exact: more than floor(rate × window) bad records among the last `window` records
    /// a subtask read fail the job. One split, one subtask, 1 % of 1000: ten bad records at lines 11
    /// to 1000 pass; an eleventh at line 1010 (line 11 still among the last 1000) fails the job at
    /// its line, one at line 1011 (line 11 no longer among them) passes.
    @Test(arguments: [1010, 1011])
    func maxErrorRateAllowsFloorOfRateTimesWindow(eleventh: Int) throws {
        let dir = try Harness.tempDir("error-rate-bound")
        let valid = try DeadLetterCorpus.generatedBids(count: 3000, in: dir)
        var rng = TestRandom(seed: 2)
        let badLines: Set<Int> = [11, 100, 200, 300, 400, 500, 600, 700, 800, 1000, eleventh]
        var c = DeadLetterCorpus()
        for (i, record) in valid.enumerated() {
            if badLines.contains(i + 1) {
                c.addBad(.type, base: record, rng: &rng, maxRecordSize: Self.maxRecordSize, splitSize: Self.splitSize)
            } else {
                c.good(record)
            }
        }
        #expect(c.bad.map(\.line) == badLines.sorted())
        try Data(c.bytes).write(to: dir.appendingPathComponent("bids.jsonl"))
        let options = #""maxErrorRate": { "rate": "1%", "window": 1000 },"#
        try Harness.write(Self.job(options: options, parallelism: 1), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        if eleventh == 1010 {
            #expect(r.status == 1, "\(r.stderr)")
            #expect(r.stderr.contains("bids.jsonl:1010:"), "\(r.stderr)")
        } else {
            #expect(r.status == 0, "\(r.stderr)")
            c.expectSummary(r.stderr, deadLettered: true, seed: 2)
        }
    }
}
