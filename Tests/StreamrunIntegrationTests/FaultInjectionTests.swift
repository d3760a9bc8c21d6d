import Foundation
import Testing

/// `"faults"` with `--allow-faults` (issue 13): injected failures drive the restart strategies through
/// the binary — a fault that fires twice heals with exactly-once output, one that never stops runs the
/// attempts out and ends with the report, a user-class one fails at once.
@Suite struct FaultInjectionTests {
    /// A 5,000-record job with `fault`; `alerts` (array entries) are added when given.
    static func job(name: String = "faulty", fault: String, restart: String = #"{ "strategy": "fixed-delay", "attempts": 5, "delay": "10ms" }"#,
                    alerts: String? = nil) -> String {
        """
        { "name": "\(name)", "checkpoints": { "dir": "state", "interval": "100ms" }, "restart": \(restart),
          "faults": [\(fault)],\(alerts.map { #" "alerts": [\#($0)],"# } ?? "")
          "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int" }, "maxRecordsPerSecond": 20000 }],
          "operators": [{ "id": "m", "type": "filter", "inputs": ["s"], "where": "a >= 0" }],
          "sinks": [{ "id": "o", "type": "file", "inputs": ["m"], "path": "out" }] }
        """
    }

    static func prepare(_ job: String) throws -> URL {
        let dir = try Harness.tempDir()
        try Harness.write((0..<5000).map { #"{"a": \#($0)}"# + "\n" }.joined(), to: dir.appendingPathComponent("in.jsonl"))
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        return dir
    }

    @Test func aFaultThatFiresTwiceHealsWithExactlyOnceOutput() throws {
        let dir = try Self.prepare(Self.job(fault: #"{ "node": "m", "type": "fail-record", "every": 2000, "times": 2 }"#))
        let r = try Harness.run(["job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let restarts = r.stderr.split(separator: "\n").filter { $0.contains("injected fault (fail-record)") && $0.contains("restarting") }
        #expect(restarts.count == 2, "\(r.stderr)")
        let lines = Harness.sortedLines(dir.appendingPathComponent("out"))
        #expect(lines == (0..<5000).map { #"{"a":\#($0)}"# }.sorted())
    }

    @Test func aFaultThatNeverStopsRunsTheAttemptsOutAndReports() throws {
        let dir = try Self.prepare(Self.job(fault: #"{ "node": "o", "type": "fail-record", "every": 100, "times": "always" }"#,
                                            restart: #"{ "strategy": "fixed-delay", "attempts": 2, "delay": "10ms" }"#))
        let r = try Harness.run(["-q", "job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("(attempt 2 of 2)"), "\(r.stderr)")
        #expect(r.stderr.contains("error: giving up after 2 restarts: 2 restarts (fixed-delay) used up; the cause was a transient error (injected-fault)"), "\(r.stderr)")
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("error: faults[0]: injected fault (fail-record) after "), "\(r.stderr)")
    }

    @Test func aUserClassFaultFailsAtOnce() throws {
        let dir = try Self.prepare(Self.job(fault: #"{ "node": "m", "type": "fail-record", "every": 100, "class": "user" }"#))
        let r = try Harness.run(["-q", "job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 1)
        #expect(!r.stderr.contains("restarting"), "\(r.stderr)")
    }

    @Test func aCheckpointFaultRestartsFromTheOneBefore() throws {
        let dir = try Self.prepare(Self.job(fault: #"{ "node": "o", "type": "fail-checkpoint", "checkpoint": 2 }"#))
        let r = try Harness.run(["job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("injected fault (fail-checkpoint) at checkpoint 2"), "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count == 5000)
    }

    @Test func faultsAreRefusedWithoutTheFlag() throws {
        let dir = try Self.prepare(Self.job(fault: #"{ "node": "m", "type": "fail-record" }"#))
        let r = try Harness.run(["-q", "job.json"], cwd: dir)
        #expect(r.status == 2)
        #expect(r.stderr == "error: faults[0]: the job injects faults (for tests and drills); run it with --allow-faults, or remove \"faults\"\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }
}
