import Foundation
import Testing

/// `streamrun status`, `savepoint` and `stop` against a job running in another process, found through
/// its control.json.
@Suite struct ControlCommandTests {
    static let job = #"""
        { "name": "ctl",
          "checkpoints": { "dir": "state", "interval": "100ms" },
          "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": 100000, "maxRecordsPerSecond": 2000 }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" }] }
        """#

    /// Waits for `condition`, failing after `seconds` (progress decides, not time). Blocks its own
    /// thread while polling, like the other process tests, so a busy test pool cannot starve it.
    func waitFor(_ what: String, seconds: Double = 300, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    func run(_ args: [String], in dir: URL) throws -> Harness.Result { try Harness.run(args, cwd: dir) }

    @Test func statusSavepointAndStopTalkToTheRunningJob() throws {
        let dir = try Harness.tempDir("control-commands")
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        let errFile = dir.appendingPathComponent("run.err")
        #expect(FileManager.default.createFile(atPath: errFile.path, contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = ["run", "job.json"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        let control = dir.appendingPathComponent("state/control.json")
        try waitFor("control.json") { FileManager.default.fileExists(atPath: control.path) || !p.isRunning }
        #expect(p.isRunning, "the job ended early: \((try? String(contentsOf: errFile, encoding: .utf8)) ?? "")")

        // --json is the endpoint's raw JSON; wait until the job runs and has checkpointed.
        try waitFor("a running job with a checkpoint") {
            let r = try run(["status", "--json", "job.json"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(json?["job"] as? String == "ctl")
            return json?["state"] as? String == "running" && json?["lastCheckpoint"] is [String: Any]
        }
        let status = try run(["status", "job.json"], in: dir)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.hasPrefix(#"job "ctl": running, up "#), "\(status.stdout)")
        #expect(status.stdout.contains("records/s read") && status.stdout.contains("last checkpoint: "), "\(status.stdout)")

        let savepoint = try run(["savepoint", "job.json", "--dir", "sp"], in: dir)
        #expect(savepoint.status == 0, "\(savepoint.stderr)")
        let path = savepoint.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasPrefix(dir.appendingPathComponent("sp").path + "/"), "\(path)")
        #expect(FileManager.default.fileExists(atPath: path), "\(path)")

        let stop = try run(["stop", "job.json", "--savepoint"], in: dir)
        #expect(stop.status == 0, "\(stop.stderr)")
        let stopPath = stop.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: stopPath), "\(stopPath)")

        try waitFor("the job to exit") { !p.isRunning }
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(stderr.hasPrefix("control endpoint: http://127.0.0.1:"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: control.path))

        let after = try run(["status", "job.json"], in: dir)
        #expect(after.status == 1)
        #expect(after.stderr.contains(#"job "ctl" is not running (no control endpoint in "#), "\(after.stderr)")
    }
}
