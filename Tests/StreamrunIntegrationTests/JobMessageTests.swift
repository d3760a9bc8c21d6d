import Foundation
import Testing

/// Issue 11, items 15 and 21 (part): the duration grammar, JSON paths on every message, long values
/// cut short in messages, and `plan` and the run summary written the way a person reads them.
@Suite struct JobMessageTests {
    static func job(checkpoints: String = "", operators: String = "", input: String = "bids", count: Int = 50) -> String {
        #"""
        { "name": "msg", \#(checkpoints)
          "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": \#(count), "eventTime": { "field": "dateTime" } }],
          "operators": [\#(operators)],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["\#(input)"], "path": "out" }] }
        """#
    }

    static func run(_ args: [String], _ text: String, _ name: String = #function) throws -> (Harness.Result, URL) {
        let dir = try Harness.tempDir(name)
        try Harness.write(text, to: dir.appendingPathComponent("job.json"))
        return (try Harness.run(args + ["job.json"], cwd: dir), dir)
    }

    // MARK: Item 15: durations

    /// Repro: `" 1s"`, `"10S"` and `"01s"` were accepted as durations.
    @Test(arguments: [(" 1s", "no spaces"), ("1s ", "no spaces"), ("10S", "units are lower-case: ms, s, m, h, d"),
                      ("01s", "no leading zeros"), ("1.5s", "whole numbers only"),
                      ("30s1m", "units from the largest to the smallest, each once")])
    func sloppyDurationsAreRefused(_ text: String, _ hint: String) throws {
        let (r, _) = try Self.run(["validate"], Self.job(checkpoints: #""checkpoints": { "dir": "st", "interval": "\#(text)" },"#))
        #expect(r.status == 2, "\(text): exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(#"checkpoints.interval: expected a duration like "10s", got "\#(text)""#), "\(r.stderr)")
        if !hint.isEmpty { #expect(r.stderr.contains("(\(hint)"), "\(r.stderr)") }
    }

    /// Repro: `1m30s` was refused. The compound form is accepted and `plan` prints it back as job.json would.
    @Test(arguments: [("1m30s", "tumbling 90s"), ("1h2m3s", "tumbling 3723s"), ("1s500ms", "tumbling 1500ms"), ("2m", "tumbling 2m")])
    func compoundDurationsAreAccepted(_ text: String, _ printed: String) throws {
        let w = #"{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "\#(text)" } }"#
        let (r, _) = try Self.run(["plan"], Self.job(operators: w, input: "w"))
        #expect(r.status == 0, "\(text): \(r.stderr)")
        #expect(r.stdout.contains("w [window] \(printed)"), "\(r.stdout)")
    }

    // MARK: Item 15: paths and long values

    /// Repro: a missing required top-level key was reported with no JSON path.
    @Test func missingTopLevelKeysNameTheirPath() throws {
        let (r, _) = try Self.run(["validate"], #"{ "sources": [{ "id": "g", "type": "generator" }] }"#)
        #expect(r.status == 2)
        #expect(r.stderr.contains(#"  name: missing required key "name""#), "\(r.stderr)")
        #expect(r.stderr.contains(#"  sinks: missing required key "sinks""#), "\(r.stderr)")
    }

    /// Repro: a 70 KB id gave 70 KB lines. Quoted values are cut at 80 characters with `…`.
    @Test func longValuesAreCutShortInMessages() throws {
        let long = String(repeating: "x", count: 70_000)
        let text = #"""
            { "name": "\#(long)", "\#(long)": 1,
              "sources": [{ "id": "\#(long)", "type": "generator" }],
              "sinks": [{ "id": "out", "type": "stdout", "inputs": ["q\#(long)"] }],
              "parallelism": \#(String(repeating: "9", count: 5000)) }
            """#
        let (r, _) = try Self.run(["validate"], text)
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count >= 5, "\(r.stderr.prefix(3000))")
        #expect(lines.allSatisfy { $0.count <= 300 }, "longest line: \(lines.map(\.count).max() ?? 0)")
        #expect(r.stderr.contains("x…\""), "\(r.stderr.prefix(3000))")
    }

    // MARK: Item 21 (part): plan and summary

    /// Repro: `plan` printed `tumbling(sizeMs: 1000)` instead of `1s`.
    @Test func planPrintsWindowsAsJobJSONWritesThem() throws {
        let w = #"{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "sliding", "size": "10s", "slide": "2s" }, "allowedLateness": "5s", "stateTtl": "1h", "aggregates": { "n": "count()" } }"#
        let s = #"{ "id": "s", "type": "window", "inputs": ["bids"], "keyBy": ["bidder"], "window": { "type": "session", "gap": "15m" } }"#
        let t = #"{ "id": "t", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "1s" } }"#
        let text = Self.job(operators: [w, s, t].joined(separator: ", "), input: "w")
        let (r, _) = try Self.run(["plan"], text)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("w [window] sliding 10s every 2s, allowed lateness 5s, state ttl 1h"), "\(r.stdout)")
        #expect(r.stdout.contains("s [window] session gap 15m"), "\(r.stdout)")
        #expect(r.stdout.contains("t [window] tumbling 1s"), "\(r.stdout)")
        #expect(!r.stdout.contains("Ms:"), "\(r.stdout)")
    }

    /// Repro: the run summary said "1 records".
    @Test func summaryCountsOneRecordInTheSingular() throws {
        let (r, _) = try Self.run(["run"], Self.job(count: 1))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("source bids (generator): 1 record\n"), "\(r.stderr)")
        #expect(!r.stderr.contains("1 records"), "\(r.stderr)")
    }
}
