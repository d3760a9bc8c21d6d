import Foundation
import Testing

/// `streamrun dlq ls` and `streamrun dlq replay` through the built binary, on handwritten dead-letter
/// queues and on one a real job wrote.
@Suite struct DeadLetterCommandTests {
    /// One dead-letter envelope, as the dead-letter sink writes it.
    static func envelope(_ source: String = "bids", line: Int, raw: String, field: String? = "price", rule: String = "type",
                         message: String = "expected int", operator op: String? = nil, rawLength: Int? = nil) -> String {
        func text(_ s: String?) -> String { s.map(quoted) ?? "null" }
        return #"{"source":\#(quoted(source)),"file":"/data/\#(source).jsonl","offset":\#(line * 100),"line":\#(line),"#
            + #""operator":\#(text(op)),"error":{"field":\#(text(field)),"rule":\#(quoted(rule)),"message":\#(quoted(message))},"#
            + #""raw":\#(quoted(raw))"# + (rawLength.map { #","rawLength":\#($0)"# } ?? "") + "}"
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\t", with: "\\t") + "\""
    }

    static func bid(_ auction: Int, _ price: String) -> String { #"{"auction":\#(auction),"price":\#(price)}"# }

    /// A job reading `in/bids.jsonl` (price a float: the fix) into `out/main`, its bad records into `out/dlq`.
    static func job(checkpoints: Bool = false, rate: Int? = nil, priceType: String = "float") -> String {
        #"""
        { "name": "bids-job", "parallelism": 2,
          \#(checkpoints ? #""checkpoints": { "dir": "state", "interval": "100ms", "retain": 2 },"# : "")
          "sources": [{ "id": "bids", "type": "file", "path": "in/bids.jsonl", "schema": { "auction": "int", "price": "\#(priceType)" },
                        \#(rate.map { #""maxRecordsPerSecond": \#($0),"# } ?? "")
                        "onError": "dead-letter", "deadLetter": "dlq" }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out/main", "format": "jsonl" },
                    { "id": "dlq", "type": "file", "path": "out/dlq", "format": "jsonl" }] }
        """#
    }

    static func setUp(_ name: String, job: String, queue: [String: [String]]) throws -> URL {
        let dir = try Harness.tempDir(name)
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        try Harness.write("", to: dir.appendingPathComponent("in/bids.jsonl"))
        for (path, lines) in queue { try Harness.write(lines.map { $0 + "\n" }.joined(), to: dir.appendingPathComponent(path)) }
        return dir
    }

    /// The lines of the committed part files below `dir` whose names carry `tag`, sorted.
    static func lines(_ dir: URL, tag: String) -> [String] {
        Harness.tree(dir).filter { $0.key.split(separator: "/").last!.hasPrefix("part-") && $0.key.contains("-\(tag)-") }
            .values.flatMap { $0.split(separator: "\n").map(String.init) }.sorted()
    }

    /// The replay ids (`replay-<id>` directories) in `stateDir`.
    static func replayIDs(_ stateDir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: stateDir.path)) ?? []).filter { $0.hasPrefix("replay-") }
            .map { String($0.dropFirst("replay-".count)) }.sorted()
    }

    // MARK: - dlq ls

    @Test func lsSummarisesAQueueBySourceAndRuleWithExamples() throws {
        let dir = try Self.setUp("dlq-ls", job: Self.job(), queue: [
            "dlq/part-dlq-00000-000000.jsonl": [
                Self.envelope(line: 2, raw: Self.bid(2, "\"x\"")), Self.envelope(line: 3, raw: Self.bid(3, "\"y\"")),
                Self.envelope(line: 4, raw: #"{"auction":4,"#, field: nil, rule: "syntax", message: "invalid JSON"),
                Self.envelope("asks", line: 1, raw: #"{"ask":1}"#, field: "qty", rule: "required", message: "field \"qty\" is missing"),
            ],
            "dlq/dt=x/part-dlq-00001-000000.jsonl": [
                Self.envelope(line: 9, raw: Self.bid(9, "\"z\"")), Self.envelope(line: 10, raw: Self.bid(10, "\"w\"\t")),
                Self.envelope(line: 11, raw: Self.bid(11, "0"), field: nil, rule: "expression", message: "division by zero", operator: "w"),
                Self.envelope("asks", line: 5, raw: String(repeating: "a", count: 120), field: nil, rule: "recordSize", message: "too long",
                              rawLength: 5_000_000),
            ],
            "dlq/.part-dlq-00000-000001.jsonl.inprogress": ["not committed, never read"],
        ])
        let r = try Harness.run(["dlq", "ls", "dlq"], cwd: dir)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let a120 = String(repeating: "a", count: 100) + "…"
        #expect(r.stdout == """
            dlq: 8 dead letters in 2 files (2 not replayable)

            bids: 6
              type of price: 4
                /data/bids.jsonl:9  expected int
                  {"auction":9,"price":"z"}
                /data/bids.jsonl:10  expected int
                  {"auction":10,"price":"w"\\t}
                /data/bids.jsonl:2  expected int
                  {"auction":2,"price":"x"}
              expression: 1
                /data/bids.jsonl:11 (operator w)  division by zero
                  {"auction":11,"price":0}
              syntax: 1
                /data/bids.jsonl:4  invalid JSON
                  {"auction":4,

            asks: 2
              recordSize: 1
                /data/asks.jsonl:5  too long
                  \(a120) (first 120 of 5000000 bytes)
              required of qty: 1
                /data/asks.jsonl:1  field "qty" is missing
                  {"ask":1}

            """)

        let j = try Harness.run(["dlq", "ls", "--json", "dlq"], cwd: dir)
        #expect(j.status == 0, "\(j.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(o["path"] as? String == "dlq" && o["files"] as? Int == 2 && o["deadLetters"] as? Int == 8 && o["notReplayable"] as? Int == 2)
        let sources = try #require(o["sources"] as? [[String: Any]])
        #expect(sources.map { $0["source"] as? String } == ["bids", "asks"])
        #expect(sources.map { $0["deadLetters"] as? Int } == [6, 2])
        let errors = try #require(sources[0]["errors"] as? [[String: Any]])
        #expect(errors.map { "\($0["field"] as? String ?? "-")/\($0["rule"] as! String)=\($0["deadLetters"] as! Int)" }
            == ["price/type=4", "-/expression=1", "-/syntax=1"])
        let examples = try #require(errors[0]["examples"] as? [[String: Any]])
        #expect(examples.count == 3)
        #expect(examples[0]["at"] as? String == "dlq/dt=x/part-dlq-00001-000000.jsonl:1")
        #expect(examples[0]["file"] as? String == "/data/bids.jsonl" && examples[0]["line"] as? Int == 9 && examples[0]["offset"] as? Int == 900)
        #expect(examples[0]["raw"] as? String == Self.bid(9, "\"z\"") && examples[0]["operator"] is NSNull)

        // One file of the queue.
        let one = try Harness.run(["dlq", "ls", "dlq/part-dlq-00000-000000.jsonl"], cwd: dir)
        #expect(one.status == 0 && one.stdout.hasPrefix("dlq/part-dlq-00000-000000.jsonl: 4 dead letters in 1 file\n"), "\(one.stdout)")
    }

    @Test func lsRefusesAMissingPathAndALineThatIsNoEnvelope() throws {
        let dir = try Self.setUp("dlq-ls-bad", job: Self.job(), queue: [
            "bad/part-dlq-00000-000000.jsonl": [Self.envelope(line: 1, raw: "{}"), Self.bid(1, "2")],
        ])
        let missing = try Harness.run(["dlq", "ls", "nowhere"], cwd: dir)
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr == "error: nowhere: no such file or directory\n")
        let bad = try Harness.run(["dlq", "ls", "bad"], cwd: dir)
        #expect(bad.status == 1 && bad.stdout.isEmpty)
        #expect(bad.stderr == "error: bad/part-dlq-00000-000000.jsonl:2: not a dead-letter envelope: missing \"source\"\n")
        CheckpointDirs.expectNoStackTrace(bad.stderr)
        let typo = try Harness.run(["dlqs", "ls", "bad"], cwd: dir)
        #expect(typo.status != 0 && typo.stderr.contains(#"(did you mean "dlq"?)"#), "\(typo.stderr)")
    }

    // MARK: - dlq replay

    @Test func replayFeedsTheRecordsOnceAndASecondReplayAddsNothing() throws {
        let dir = try Self.setUp("dlq-replay", job: Self.job(), queue: [
            "out/dlq/part-dlq-00000-000000.jsonl": [
                Self.envelope(line: 1, raw: Self.bid(1, "1.5")), Self.envelope(line: 2, raw: Self.bid(2, "2.5")),
                Self.envelope(line: 3, raw: Self.bid(3, "0"), field: nil, rule: "expression", message: "division by zero", operator: "w"),
            ],
            "out/dlq/part-dlq-00001-000000.jsonl": [
                Self.envelope(line: 7, raw: Self.bid(7, "7.5")),
                Self.envelope(line: 8, raw: "{\"auction\":8", field: nil, rule: "recordSize", message: "too long", rawLength: 4_000_000),
            ],
        ])
        let r = try Harness.run(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let ids = Self.replayIDs(dir.appendingPathComponent(".streamrun/bids-job"))
        let id = try #require(ids.first, "no replay directory")
        #expect(ids.count == 1)
        #expect(r.stdout == """
            replay \(id) of out/dlq finished (\(dir.path)/.streamrun/bids-job/replay-\(id))
              replayed 3 records from sources bids (3)
              0 still bad → out/dlq.replay-1
              2 not replayable (1 sent by an operator, 1 cut at maxRecordSize), left in out/dlq

            """)
        #expect(r.stderr.contains("records still bad go to out/dlq.replay-1"), "\(r.stderr)")
        #expect(Self.lines(dir.appendingPathComponent("out/main"), tag: "replay-\(id)") == [Self.bid(1, "1.5"), Self.bid(2, "2.5"), Self.bid(7, "7.5")])
        let input = try String(contentsOf: dir.appendingPathComponent(".streamrun/bids-job/replay-\(id)/input/bids.jsonl"), encoding: .utf8)
        #expect(input == [Self.bid(1, "1.5"), Self.bid(2, "2.5"), Self.bid(7, "7.5")].map { $0 + "\n" }.joined(), "queue order")

        let before = Harness.tree(dir.appendingPathComponent("out"))
        let again = try Harness.run(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == """
            out/dlq was already replayed; nothing to do
              replay \(id) finished: replayed 3 records, 0 still bad → out/dlq.replay-1

            """)
        #expect(Harness.tree(dir.appendingPathComponent("out")) == before, "a second replay changed the output")
    }

    @Test func recordsStillBadGoToTheNextGeneration() throws {
        let raws = [Self.bid(1, "1.5"), Self.bid(2, "\"x\""), #"{"auction":3,"#, Self.bid(4, "4.25")]
        let dir = try Self.setUp("dlq-generations", job: Self.job(), queue: [
            "out/dlq/part-dlq-00000-000000.jsonl": raws.enumerated().map { Self.envelope(line: $0.offset + 1, raw: $0.element) },
        ])
        let r = try Harness.run(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let id = try #require(Self.replayIDs(dir.appendingPathComponent(".streamrun/bids-job")).first)
        #expect(r.stdout.contains("  replayed 4 records from sources bids (4)\n  2 still bad → out/dlq.replay-1\n"), "\(r.stdout)")
        #expect(Self.lines(dir.appendingPathComponent("out/main"), tag: "replay-\(id)") == [Self.bid(1, "1.5"), Self.bid(4, "4.25")])
        let generation = dir.appendingPathComponent("out/dlq.replay-1")
        #expect(Harness.tree(generation).keys.sorted() == ["part-dlq-replay-\(id)-00000-000000.jsonl"])
        let envelopes = try Self.lines(generation, tag: "replay-\(id)").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }.sorted { ($0["line"] as! Int) < ($1["line"] as! Int) }
        #expect(envelopes.map { $0["raw"] as? String } == [raws[1], raws[2]])
        #expect(envelopes.map { ($0["error"] as? [String: Any])?["rule"] as? String } == ["type", "syntax"])
        #expect(envelopes.allSatisfy { $0["source"] as? String == "bids" && $0["operator"] is NSNull })
        #expect(envelopes.allSatisfy { $0["file"] as? String == ".streamrun/bids-job/replay-\(id)/input/bids.jsonl" }, "relative to job.json's directory")

        // The next generation replays into the one after it.
        let next = try Harness.run(["dlq", "replay", "job.json", "out/dlq.replay-1"], cwd: dir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("  replayed 2 records from sources bids (2)\n  2 still bad → out/dlq.replay-2\n"), "\(next.stdout)")
        let ls = try Harness.run(["dlq", "ls", "out/dlq.replay-2"], cwd: dir)
        #expect(ls.stdout.hasPrefix("out/dlq.replay-2: 2 dead letters in 1 file\n"), "\(ls.stdout)")
    }

    /// A replay SIGKILLed after some checkpoints, run again, resumes from its newest checkpoint: every
    /// record is in the output exactly once, and a third run adds nothing.
    @Test func aReplayKilledMidRunResumesExactlyOnce() throws {
        let count = 3000
        let raws = (0..<count).map { Self.bid($0, "\($0).5") }
        let dir = try Self.setUp("dlq-kill", job: Self.job(checkpoints: true, rate: 2000), queue: [
            "out/dlq/part-dlq-00000-000000.jsonl": raws.enumerated().filter { $0.offset % 2 == 0 }.map { Self.envelope(line: $0.offset, raw: $0.element) },
            "out/dlq/part-dlq-00001-000000.jsonl": raws.enumerated().filter { $0.offset % 2 == 1 }.map { Self.envelope(line: $0.offset, raw: $0.element) },
        ])
        let state = dir.appendingPathComponent("state")
        func completeCheckpoints() -> Int {
            Self.replayIDs(state).reduce(0) { n, id in
                let root = state.appendingPathComponent("replay-\(id)/checkpoints")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
                return n + names.filter {
                    $0.hasPrefix("chk-") && FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/_manifest.json").path)
                }.count
            }
        }
        let job = try Harness.start(["dlq", "replay", "-q", "job.json", "out/dlq"], cwd: dir)
        let guardDeadline = Date().addingTimeInterval(300)  // a hang guard, not a timing assertion
        while job.isRunning && completeCheckpoints() < 2 && Date() < guardDeadline { usleep(5_000) }
        #expect(job.isRunning, "the replay finished before it could be killed")
        kill(job.pid, SIGKILL)
        _ = job.finish()
        let id = try #require(Self.replayIDs(state).first)
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("replay-\(id)/done").path))

        let r = try Harness.run(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("resuming replay \(id)") && r.stderr.contains("resuming from checkpoint"), "\(r.stderr)")
        #expect(r.stdout.contains("replay \(id) of out/dlq finished at checkpoint "), "\(r.stdout)")
        #expect(r.stdout.contains("replayed \(count) records from sources bids (\(count))"), "\(r.stdout)")
        #expect(Self.lines(dir.appendingPathComponent("out/main"), tag: "replay-\(id)") == raws.sorted())
        #expect(!Harness.tree(dir.appendingPathComponent("out")).keys.contains { $0.split(separator: "/").last!.hasPrefix(".") },
                "in-progress files left behind")

        let again = try Harness.run(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        #expect(again.status == 0 && again.stdout.hasPrefix("out/dlq was already replayed; nothing to do\n"), "\(again.stdout)\(again.stderr)")
        #expect(Self.lines(dir.appendingPathComponent("out/main"), tag: "replay-\(id)").count == count)
    }

    /// SIGTERM stops a replay at a checkpoint like it stops `streamrun job.json`; run again, it finishes.
    @Test func aSignalStopsAReplayAtACheckpoint() throws {
        let raws = (0..<2000).map { Self.bid($0, "\($0).5") }
        let dir = try Self.setUp("dlq-signal", job: Self.job(checkpoints: true, rate: 1000), queue: [
            "out/dlq/part-dlq-00000-000000.jsonl": raws.enumerated().map { Self.envelope(line: $0.offset, raw: $0.element) },
        ])
        let job = try Harness.start(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        let state = dir.appendingPathComponent("state")
        let guardDeadline = Date().addingTimeInterval(300)  // a hang guard, not a timing assertion
        func started() -> Bool {
            Self.replayIDs(state).contains { FileManager.default.fileExists(atPath: state.appendingPathComponent("replay-\($0)/checkpoints/chk-000001/_manifest.json").path) }
        }
        while job.isRunning && !started() && Date() < guardDeadline { usleep(5_000) }
        #expect(job.isRunning, "the replay finished before the signal")
        kill(job.pid, SIGTERM)
        let (status, stderr) = job.finish()
        #expect(job.process.terminationReason == .exit && status == 0, "\(stderr)")
        #expect(stderr.contains("stopping at a checkpoint"), "\(stderr)")
        let id = try #require(Self.replayIDs(state).first)
        #expect(!FileManager.default.fileExists(atPath: state.appendingPathComponent("replay-\(id)/done").path))
        let r = try Harness.run(["dlq", "replay", "-q", "job.json", "out/dlq"], cwd: dir)
        #expect(r.status == 0 && r.stdout.contains("replay \(id) of out/dlq finished at checkpoint "), "\(r.stdout)\(r.stderr)")
        #expect(Self.lines(dir.appendingPathComponent("out/main"), tag: "replay-\(id)") == raws.sorted())
    }

    /// The whole loop with a real job: it dead-letters what its schema refuses, the schema is fixed,
    /// the queue replayed; the job's own run with `--overwrite` then replaces its own output only.
    @Test func aRealJobsDeadLettersAreReplayedAfterTheFix() throws {
        let dir = try Self.setUp("dlq-real", job: Self.job(checkpoints: true, priceType: "int"), queue: [:])
        let input = [Self.bid(1, "10"), Self.bid(2, "20.5"), Self.bid(3, "\"x\""), #"{"auction":4,"#, Self.bid(5, "50"), Self.bid(6, "60.25")]
        try Harness.write(input.map { $0 + "\n" }.joined(), to: dir.appendingPathComponent("in/bids.jsonl"))
        let first = try Harness.run(["-q", "job.json"], cwd: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let ls = try Harness.run(["dlq", "ls", "out/dlq"], cwd: dir)
        #expect(ls.stdout.hasPrefix("out/dlq: 4 dead letters in "), "\(ls.stdout)")
        #expect(ls.stdout.contains("bids: 4\n  type of price: 3\n"), "\(ls.stdout)")
        #expect(ls.stdout.contains("  syntax: 1\n"), "\(ls.stdout)")

        // The fix: price is a float.
        try Harness.write(Self.job(checkpoints: true, priceType: "float"), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["dlq", "replay", "job.json", "out/dlq"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let id = try #require(Self.replayIDs(dir.appendingPathComponent("state")).first)
        #expect(r.stdout.contains("replayed 4 records from sources bids (4)\n  2 still bad → out/dlq.replay-1\n"), "\(r.stdout)")
        #expect(Self.lines(dir.appendingPathComponent("out/main"), tag: "replay-\(id)") == [Self.bid(2, "20.5"), Self.bid(6, "60.25")])
        let rules = try Harness.run(["dlq", "ls", "--json", "out/dlq.replay-1"], cwd: dir)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(rules.stdout.utf8)) as? [String: Any])
        let errors = ((o["sources"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]]) ?? []
        #expect(errors.map { $0["rule"] as? String } == ["syntax", "type"], "\(rules.stdout)")

        // The job's own rerun replaces its own part files, and leaves the replay's.
        let replayFiles = Harness.tree(dir.appendingPathComponent("out")).filter { $0.key.contains("replay-\(id)") }
        #expect(replayFiles.count == 2)
        let rerun = try Harness.run(["-q", "job.json", "--fresh", "--overwrite"], cwd: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = Harness.tree(dir.appendingPathComponent("out"))
        #expect(after.filter { $0.key.contains("replay-\(id)") } == replayFiles)
        #expect(Harness.sortedLines(dir.appendingPathComponent("out/main")).filter { !$0.isEmpty }.count == 2 + 4, "\(after.keys.sorted())")
    }
}
