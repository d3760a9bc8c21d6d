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

    /// Waits for `condition`, failing after `seconds` (progress decides, not time). Sleeps rather than
    /// blocks, so other tests keep the (two) cooperative threads.
    func waitFor(_ what: String, seconds: Double = 300, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    /// `streamrun args` in `dir`, awaited without blocking a thread; output goes through files.
    func run(_ args: [String], in dir: URL) async throws -> Harness.Result {
        let name = UUID().uuidString
        let out = dir.appendingPathComponent(".\(name).out"), err = dir.appendingPathComponent(".\(name).err")
        #expect(FileManager.default.createFile(atPath: out.path, contents: nil))
        #expect(FileManager.default.createFile(atPath: err.path, contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            p.terminationHandler = { _ in c.resume() }
            do { try p.run() } catch { c.resume(throwing: error) }
        }
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Harness.Result(status: p.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                              stderr: try String(contentsOf: err, encoding: .utf8))
    }

    @Test func statusSavepointAndStopTalkToTheRunningJob() async throws {
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
        try await waitFor("control.json") { FileManager.default.fileExists(atPath: control.path) || !p.isRunning }
        #expect(p.isRunning, "the job ended early: \((try? String(contentsOf: errFile, encoding: .utf8)) ?? "")")

        // --json is the endpoint's raw JSON; wait until the job runs and has checkpointed.
        try await waitFor("a running job with a checkpoint") {
            let r = try await run(["status", "--json", "job.json"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(json?["job"] as? String == "ctl")
            return json?["state"] as? String == "running" && json?["lastCheckpoint"] is [String: Any]
        }
        let status = try await run(["status", "job.json"], in: dir)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.hasPrefix(#"job "ctl": running, up "#), "\(status.stdout)")
        #expect(status.stdout.contains("records/s read") && status.stdout.contains("last checkpoint: "), "\(status.stdout)")

        let savepoint = try await run(["savepoint", "job.json", "--dir", "sp"], in: dir)
        #expect(savepoint.status == 0, "\(savepoint.stderr)")
        let path = savepoint.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasPrefix(dir.appendingPathComponent("sp").path + "/"), "\(path)")
        #expect(FileManager.default.fileExists(atPath: path), "\(path)")

        let stop = try await run(["stop", "job.json", "--savepoint"], in: dir)
        #expect(stop.status == 0, "\(stop.stderr)")
        let stopPath = stop.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: stopPath), "\(stopPath)")

        try await waitFor("the job to exit") { !p.isRunning }
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(stderr.hasPrefix("control endpoint: http://127.0.0.1:"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: control.path))

        let after = try await run(["status", "job.json"], in: dir)
        #expect(after.status == 1)
        #expect(after.stderr.contains(#"job "ctl" is not running (no control endpoint in "#), "\(after.stderr)")
    }
}
