import Foundation
import Testing

/// `streamrun checkpoints show` and `streamrun state dump` on the checkpoints of a real run.
///
/// The source emits one record per batch, 4 a second, so a checkpoint falls between records. The last
/// four records are duplicates that the dedupe drops without moving the watermark, so every
/// checkpoint taken after the fourth record and before the end holds the same keyed state.
@Suite struct InspectStateTests {
    static let job = #"""
        { "name": "inspect", "parallelism": 2,
          "checkpoints": { "dir": "state", "interval": "40ms", "retain": 1000 },
          "sources": [ { "id": "bids", "type": "file", "path": "bids.jsonl", "parallelism": 1, "maxRecordsPerSecond": 4,
                         "schema": { "auction": "int", "price": "int", "channel": "string", "dateTime": "timestamp" },
                         "eventTime": { "field": "dateTime" } } ],
          "operators": [
            { "id": "once", "type": "dedupe", "inputs": ["bids"], "keyBy": ["auction", "channel"], "within": "1h" },
            { "id": "per-auction", "type": "window", "inputs": ["once"], "keyBy": ["auction"], "allowedLateness": "1m",
              "window": { "type": "tumbling", "size": "10s" },
              "aggregates": { "count": "count()", "top": "max(price)", "avg": "avg(price)", "first": "first(channel)" } } ],
          "sinks": [ { "id": "out", "type": "stdout", "inputs": ["per-auction"], "format": "csv" } ] }
        """#

    static let bids = """
        {"auction":1007,"price":100,"channel":"Google","dateTime":"2024-01-01T00:00:01Z"}
        {"auction":1007,"price":120,"channel":"Apple","dateTime":"2024-01-01T00:00:11Z"}
        {"auction":1008,"price":50,"channel":"Google","dateTime":"2024-01-01T00:00:12Z"}
        {"auction":1007,"price":80,"channel":"Baidu","dateTime":"2024-01-01T00:00:14Z"}
        {"auction":1007,"price":120,"channel":"Apple","dateTime":"2024-01-01T00:00:11Z"}
        {"auction":1008,"price":50,"channel":"Google","dateTime":"2024-01-01T00:00:12Z"}
        {"auction":1007,"price":80,"channel":"Baidu","dateTime":"2024-01-01T00:00:14Z"}
        {"auction":1007,"price":100,"channel":"Google","dateTime":"2024-01-01T00:00:01Z"}

        """

    /// The checkpoint directory names, oldest first.
    static func checkpoints(_ dir: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("state").path)) ?? []
        return names.filter { $0.hasPrefix("chk-") }.sorted { Int($0.dropFirst(4))! < Int($1.dropFirst(4))! }
    }

    static func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }

    @Test func showAndDumpTheCheckpointsOfARun() throws {
        let dir = try Harness.tempDir()
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.bids, to: dir.appendingPathComponent("bids.jsonl"))
        let run = try Harness.run(["-q", "job.json"], cwd: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let names = Self.checkpoints(dir)
        let newest = try #require(names.last)
        let id = Int(newest.dropFirst(4))!

        // show: the final checkpoint, human-readable and as JSON.
        let json = try Harness.run(["checkpoints", "show", "state/\(newest)", "--json"], cwd: dir)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let manifest = try #require(object["manifest"] as? [String: Any])
        #expect(manifest["jobText"] as? String == Self.job)
        #expect(manifest["checkpointId"] as? Int == id)
        let operators = try #require(object["operators"] as? [[String: Any]])
        let bytes = operators.map { $0["bytes"] as? Int ?? -1 }
        let show = try Harness.run(["checkpoints", "show", "state/\(newest)"], cwd: dir)
        #expect(show.status == 0, "\(show.stderr)")
        let text = Self.lines(show.stdout).map { $0.split(separator: " ").joined(separator: " ") }
        #expect(text.count == 10)
        #expect(text.first == "checkpoint \(id) of job \"inspect\"")
        #expect(text.dropFirst().first == "directory state/\(newest)")
        #expect(text.dropFirst(2).first?.hasPrefix("taken ") == true)
        #expect(Array(text.dropFirst(3)) == [
            "state 6 files, \(bytes.reduce(0, +)) B on disk",
            "job embedded (\(Self.job.utf8.count) bytes of job.json)",
            "OPERATOR TYPE PARALLELISM FILES SIZE STATE KEYS KEY GROUPS",
            "bids source:file 1 1 \(bytes[0]) B 36 B - -",
            "once dedupe 2 2 \(bytes[1]) B 22 B 0 -",
            "per-auction window 2 2 \(bytes[2]) B 26 B 0 -",
            "out sink:stdout 1 1 \(bytes[3]) B 0 B - -",
        ])

        // dump: the source finished its one split; the windows have all fired and been purged.
        let source = try Harness.run(["state", "dump", "state/\(newest)", "--operator", "bids"], cwd: dir)
        #expect(source.status == 0, "\(source.stderr)")
        #expect(Self.lines(source.stdout) == [
            #"{"subtask":0,"cursor":0,"splits":[{"split":0,"path":"bids.jsonl","start":0,"end":null,"offset":\#(Self.bids.utf8.count),"finished":true,"maxEventTime":1704067214000}]}"#,
        ])
        let final = try Harness.run(["state", "dump", "state/\(newest)", "--operator", "per-auction"], cwd: dir)
        #expect(final.status == 0 && final.stdout.isEmpty, "\(final.stdout)\(final.stderr)")

        // dump: the newest checkpoint taken while the windows were open.
        var open: [String] = []
        for name in names.reversed() {
            let r = try Harness.run(["state", "dump", "state/\(name)", "--operator", "per-auction"], cwd: dir)
            #expect(r.status == 0, "\(r.stderr)")
            open = Self.lines(r.stdout)
            if !open.isEmpty {
                let once = try Harness.run(["state", "dump", "state/\(name)", "--operator", "once"], cwd: dir)
                #expect(Self.lines(once.stdout) == [
                    #"{"keyGroup":21,"key":{"auction":1007,"channel":"Apple"},"lastSeen":1704067211000}"#,
                    #"{"keyGroup":50,"key":{"auction":1008,"channel":"Google"},"lastSeen":1704067212000}"#,
                    #"{"keyGroup":99,"key":{"auction":1007,"channel":"Google"},"lastSeen":1704067201000}"#,
                    #"{"keyGroup":119,"key":{"auction":1007,"channel":"Baidu"},"lastSeen":1704067214000}"#,
                ], "\(name)")
                break
            }
        }
        #expect(open == [
            #"{"keyGroup":105,"key":{"auction":1008},"window":{"start":1704067210000,"end":1704067220000},"fired":false,"aggregates":{"count":1,"top":50,"avg":50.0,"first":"Google"}}"#,
            #"{"keyGroup":127,"key":{"auction":1007},"window":{"start":1704067200000,"end":1704067210000},"fired":true,"aggregates":{"count":1,"top":100,"avg":100.0,"first":"Google"}}"#,
            #"{"keyGroup":127,"key":{"auction":1007},"window":{"start":1704067210000,"end":1704067220000},"fired":false,"aggregates":{"count":2,"top":120,"avg":100.0,"first":"Apple"}}"#,
        ], "checkpoints: \(names)")

        // Errors: one line, non-zero exit.
        let unknown = try Harness.run(["state", "dump", "state/\(newest)", "--operator", "per_auction"], cwd: dir)
        #expect(unknown.status == 2)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr == "error: state/\(newest): no operator \"per_auction\" in this checkpoint; its operators are: bids, once, per-auction, out\n")
        let notCheckpoint = try Harness.run(["state", "dump", "state", "--operator", "bids"], cwd: dir)
        #expect(notCheckpoint.status == 1)
        #expect(notCheckpoint.stderr == "error: state: not a checkpoint directory (no _manifest.json; an incomplete checkpoint has none)\n")
    }
}
