import Foundation
import Testing

/// `--log-format json` and `--log-file` with rotation (issue 13), and a restart strategy's schedule as
/// the log shows it, through the binary. The failure is real: a file stands where the sink's
/// partition directory must go, a transient error that restarts until the strategy gives up.
@Suite struct StructuredLogTests {
    static func job(attempts: Int) -> String {
        """
        { "name": "logs", "checkpoints": { "dir": "state", "interval": "1s" },
          "restart": { "strategy": "exponential-delay", "initialBackoff": "10ms", "maxBackoff": "40ms", "multiplier": 2,
                       "jitter": 0, "attempts": \(attempts) },
          "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int", "p": "string" } }],
          "sinks": [{ "id": "o", "type": "file", "inputs": ["s"], "path": "out", "partitionBy": "p", "partitionKey": "p",
                      "retry": { "maxRetries": 0 } }] }
        """
    }

    static func prepare(attempts: Int) throws -> URL {
        let dir = try Harness.tempDir()
        try Harness.write(#"{"a": 1, "p": "x"}"# + "\n", to: dir.appendingPathComponent("in.jsonl"))
        try Harness.write("in the way\n", to: dir.appendingPathComponent("out/p=x"))
        try Harness.write(job(attempts: attempts), to: dir.appendingPathComponent("job.json"))
        return dir
    }

    @Test func jsonLinesCarryLevelMessageAndMetadataAndTheScheduleGrows() throws {
        let dir = try Self.prepare(attempts: 4)
        let r = try Harness.run(["--log-format", "json", "-q", "job.json"], cwd: dir)
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        var delays: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["time"] is String && object["level"] is String && object["message"] is String, "\(line)")
            if let d = object["delay_ms"] as? String {
                delays.append(d)
                #expect(object["job"] as? String == "logs")
                #expect(object["error.class"] as? String == "transient")
                #expect(object["strategy"] as? String == "exponential-delay")
            }
        }
        #expect(delays == ["10", "20", "40", "40"], "\(r.stderr)")
        #expect(lines.contains { $0.contains(#""message":"giving up after 4 restarts"#) }, "\(r.stderr)")
    }

    @Test func aLogFileRotatesBySizeAndKeepsTheCount() throws {
        let dir = try Self.prepare(attempts: 30)
        let r = try Harness.run(["-q", "job.json", "--log-file", "job.log", "--log-file-size", "1KB", "--log-file-count", "2"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.isEmpty, "messages went to the log file: \(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("job.log") }.sorted()
        #expect(names == ["job.log", "job.log.1", "job.log.2"])
        for name in names {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int)
            #expect(size <= 1024, "\(name): \(size) bytes")
        }
        let newest = try String(contentsOf: dir.appendingPathComponent("job.log"), encoding: .utf8)
        #expect(newest.contains("error: cannot create directory"), "\(newest)")
    }

    @Test func aBadLogFlagIsOneError() throws {
        let r = try Harness.run(["--log-format", "xml", "validate", "job.json"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: --log-format: expected text or json, got \"xml\"\n")
    }
}
