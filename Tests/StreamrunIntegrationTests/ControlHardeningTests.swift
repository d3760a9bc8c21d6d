import Foundation
import Testing

/// Issue 11 through the built binary: the control endpoint's token and control.json (item 6), the
/// commands' `--dir` outside the savepoint root (item 5), backpressure during a total stall (item 17)
/// and `-q` (item 20).
@Suite struct ControlHardeningTests {
    /// Waits for `condition` (progress decides; `seconds` is a hang guard only).
    func waitFor(_ what: String, seconds: Double = 300, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    /// `streamrun run job.json` in `dir` with stdout into `stdout` and stderr into a file.
    func start(_ args: [String], in dir: URL, stdout: Any) throws -> (Process, URL) {
        let errFile = dir.appendingPathComponent("run.err")
        #expect(FileManager.default.createFile(atPath: errFile.path, contents: nil))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = stdout
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        return (p, errFile)
    }

    /// Issue 11, item 20: "`-q` still prints `control endpoint: …`".
    @Test func quietRunDoesNotAnnounceTheControlEndpoint() throws {
        let dir = try Harness.tempDir("quiet-run")
        try Harness.write(#"""
            { "name": "quiet",
              "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": 2000 }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" }] }
            """#, to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["run", "-q", "job.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("control endpoint"), "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count == 2000)
    }

    /// Issue 11, items 5 and 6: control.json is private (0600) and holds the run's token, which the
    /// commands send; `savepoint --dir` and `stop --savepoint --dir` still write anywhere the user names.
    @Test func commandsUseTheTokenAndTheirDirMayBeOutsideTheSavepointRoot() throws {
        let dir = try Harness.tempDir("control-token")
        try Harness.write(ControlCommandTests.job, to: dir.appendingPathComponent("job.json"))
        let (p, errFile) = try start(["run", "job.json"], in: dir, stdout: FileHandle.nullDevice)
        defer { if p.isRunning { p.terminate() } }
        let control = dir.appendingPathComponent("state/control.json")
        try waitFor("control.json") { FileManager.default.fileExists(atPath: control.path) || !p.isRunning }
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: control.path)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600, "control.json has mode \(String(mode, radix: 8))")
        let address = try JSONSerialization.jsonObject(with: Data(contentsOf: control)) as? [String: Any]
        let token = address?["token"] as? String ?? ""
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit), "\(String(describing: address))")

        try waitFor("a completed checkpoint") {
            let r = try Harness.run(["status", "--json", "job.json"], cwd: dir)
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return json?["lastCheckpoint"] is [String: Any]
        }
        let elsewhere = try Harness.tempDir("control-token-elsewhere")
        let savepoint = try Harness.run(["savepoint", "job.json", "--dir", elsewhere.path], cwd: dir)
        #expect(savepoint.status == 0, "\(savepoint.stderr)")
        #expect(savepoint.stdout.hasPrefix(elsewhere.path + "/sp-"), "\(savepoint.stdout)")

        let stop = try Harness.run(["stop", "job.json", "--savepoint", "--dir", "../\(dir.lastPathComponent)-stop"], cwd: dir)
        #expect(stop.status == 0, "\(stop.stderr)")
        let stopPath = stop.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stopPath.hasPrefix(dir.deletingLastPathComponent().path + "/\(dir.lastPathComponent)-stop/sp-"), "\(stopPath)")
        #expect(FileManager.default.fileExists(atPath: stopPath))
        try waitFor("the job to exit") { !p.isRunning }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\((try? String(contentsOf: errFile, encoding: .utf8)) ?? "")")
    }

    /// Issue 11, item 17: "`backpressureMs` stays 0 during a total stall". A generator at parallelism
    /// 2 feeds a stdout sink whose pipe nobody reads: once nothing moves any more, the sources' wait
    /// still grows in `GET /job` (read with `status --json`).
    @Test func backpressureGrowsWhileTheSinkIsStalled() throws {
        let dir = try Harness.tempDir("stalled-sink")
        try Harness.write(#"""
            { "name": "stall", "parallelism": 2,
              "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": 100000000 }],
              "sinks": [{ "id": "out", "type": "stdout", "inputs": ["bids"] }] }
            """#, to: dir.appendingPathComponent("job.json"))
        let unread = Pipe()
        let (p, errFile) = try start(["run", "job.json"], in: dir, stdout: unread)
        defer {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            try? unread.fileHandleForReading.close()
        }
        let control = dir.appendingPathComponent(".streamrun/stall/control.json")
        try waitFor("control.json") { FileManager.default.fileExists(atPath: control.path) || !p.isRunning }
        #expect(p.isRunning, "the job ended: \((try? String(contentsOf: errFile, encoding: .utf8)) ?? "")")

        struct Sample: Equatable {
            var read = 0, written = 0, backpressureMs = 0
        }
        func sample() throws -> Sample? {
            let r = try Harness.run(["status", "--json", "job.json"], cwd: dir)
            guard let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                  json["state"] as? String == "running",
                  let ops = json["operators"] as? [[String: Any]],
                  let bids = ops.first(where: { $0["id"] as? String == "bids" }),
                  let out = ops.first(where: { $0["id"] as? String == "out" }) else { return nil }
            return Sample(read: bids["recordsOut"] as? Int ?? -1, written: out["recordsIn"] as? Int ?? -1,
                          backpressureMs: bids["backpressureMs"] as? Int ?? -1)
        }
        // Two samples in a row in which no record moved, yet the backpressure grew.
        var previous: Sample?
        var stalled: (Sample, Sample)?
        try waitFor("backpressure to grow while nothing moves") {
            guard let s = try sample() else { return false }
            defer { previous = s }
            if let b = previous, b.read == s.read, b.written == s.written, s.backpressureMs > b.backpressureMs {
                stalled = (b, s)
                return true
            }
            return false
        }
        let (before, after) = try #require(stalled)
        #expect(before.read > 0 && after.backpressureMs > before.backpressureMs)
    }
}
