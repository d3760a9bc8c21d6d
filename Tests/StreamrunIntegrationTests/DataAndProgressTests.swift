import Foundation
import Testing

/// Issue 11, "data and progress": each test reproduces what a hostile user found, through the
/// built binary.
@Suite struct DataAndProgressTests {
    /// A job still running in the background, its stderr in a file (read while it runs).
    struct Running {
        let process: Process
        let dir: URL
        let errFile: URL

        var stderr: String { (try? String(contentsOf: errFile, encoding: .utf8)) ?? "" }

        func finish() -> (status: Int32, stderr: String) {
            process.waitUntilExit()
            return (process.terminationStatus, stderr)
        }
    }

    static func start(_ args: [String], in dir: URL, stdout: Any = FileHandle.nullDevice, name: String = "run") throws -> Running {
        let errFile = dir.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = stdout
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        return Running(process: p, dir: dir, errFile: errFile)
    }

    /// Waits for `condition` (progress decides; the limit only guards against a hang).
    static func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func job(name: String, checkpoints: String? = nil, count: Int = 1_000_000, rate: Int? = 2000,
                    sinks: String = #"{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" }"#) -> String {
        let section = checkpoints.map { #""checkpoints": \#($0),"# } ?? ""
        let limit = rate.map { #", "maxRecordsPerSecond": \#($0)"# } ?? ""
        return #"""
            { "name": "\#(name)", \#(section)
              "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": \#(count)\#(limit) }],
              "sinks": [\#(sinks)] }
            """#
    }

    static func hidden(_ dir: URL) -> [String] {
        Harness.tree(dir).keys.filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }.sorted()
    }

    static func newestCheckpoint(_ state: URL) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: state.path))?
            .filter { $0.hasPrefix("chk-") && FileManager.default.fileExists(atPath: state.appendingPathComponent("\($0)/_manifest.json").path) }
            .compactMap { Int($0.dropFirst(4)) }.max()
    }

    // MARK: - 1. A closed stdout

    /// Reproduction: a file sink and a stdout sink, piped into `head -n1`. streamrun used to call
    /// exit(0) from inside the stdout sink: the file sink's output was never committed (only
    /// .inprogress files remained), nothing was printed, the exit code was 0 and control.json
    /// stayed behind.
    @Test func closedStdoutFailsTheJobLikeAnyFailingSink() throws {
        let dir = try Harness.tempDir("closed-stdout")
        let sinks = #"{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" }, "#
            + #"{ "id": "show", "type": "stdout", "inputs": ["bids"], "format": "jsonl" }"#
        try Harness.write(Self.job(name: "head", checkpoints: #"{ "dir": "state", "interval": "100ms" }"#, count: 2_000_000, rate: nil,
                                   sinks: sinks), to: dir.appendingPathComponent("job.json"))
        let pipe = Pipe()
        let run = try Self.start(["job.json"], in: dir, stdout: pipe)
        // `head -n1`: read one line, then go away.
        var line: [UInt8] = []
        while !line.contains(UInt8(ascii: "\n")) { line += Array(pipe.fileHandleForReading.readData(ofLength: 1)) }
        try pipe.fileHandleForReading.close()
        let (status, stderr) = run.finish()
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains(#"sink "show": standard output was closed by its reader"#), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("state/control.json").path))
        // Whatever the last checkpoint committed stays; nothing half-written is left visible.
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).allSatisfy { $0.hasPrefix("{") })
    }

    // MARK: - 2. Failed checkpoints

    /// Reproduction: the checkpoint directory read-only for a second (or full for two). That
    /// checkpoint failed and no later one ever completed, even once the directory was writable
    /// again. Here a regular file stands where the next checkpoints' directories must go (which
    /// fails even for root, unlike chmod).
    @Test func failedCheckpointsAreToleratedAndTheNextOneCompletes() throws {
        let dir = try Harness.tempDir("failed-checkpoint")
        try Harness.write(Self.job(name: "flaky", checkpoints: #"{ "dir": "state", "interval": "100ms", "tolerableFailures": 10 }"#),
                          to: dir.appendingPathComponent("job.json"))
        let run = try Self.start(["job.json"], in: dir)
        defer { if run.process.isRunning { run.process.terminate() } }
        let state = dir.appendingPathComponent("state")
        try Self.waitFor("a first checkpoint") { Self.newestCheckpoint(state) != nil || !run.process.isRunning }
        let newest = try #require(Self.newestCheckpoint(state), "\(run.stderr)")
        var blockers: [URL] = []
        for id in (newest + 2)...(newest + 4) {
            let path = state.appendingPathComponent(String(format: "chk-%06d", id))
            if FileManager.default.createFile(atPath: path.path, contents: Data("in the way\n".utf8)) { blockers.append(path) }
        }
        try Self.waitFor("a failed checkpoint") { run.stderr.contains("failed: cannot create directory") || !run.process.isRunning }
        #expect(run.process.isRunning, "\(run.stderr)")
        for b in blockers { try FileManager.default.removeItem(at: b) }
        try Self.waitFor("a checkpoint after the failures") { (Self.newestCheckpoint(state) ?? 0) > newest + 4 || !run.process.isRunning }
        kill(run.process.processIdentifier, SIGTERM)
        let (status, stderr) = run.finish()
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("tolerable consecutive failures"), "\(stderr)")
        #expect(Self.hidden(dir.appendingPathComponent("out")).isEmpty)
        // Every record up to the stop checkpoint is committed exactly once, including those of the
        // failed checkpoints.
        let lines = Harness.sortedLines(dir.appendingPathComponent("out"))
        #expect(Set(lines).count == lines.count, "duplicates after failed checkpoints")
    }

    /// Reproduction: incomplete `chk-*` directories of failed attempts, and an `sp-*` without a
    /// manifest left by a kill during a savepoint, stayed forever.
    @Test func incompleteCheckpointAndSavepointDirectoriesAreRemovedAtStart() throws {
        let dir = try Harness.tempDir("incomplete-dirs")
        try Harness.write(Self.job(name: "tidy", checkpoints: #"{ "dir": "state", "interval": "100ms" }"#, count: 1000, rate: nil),
                          to: dir.appendingPathComponent("job.json"))
        try Harness.write("half\n", to: dir.appendingPathComponent("state/chk-000042/op-bids-00000.state.lz4"))
        try Harness.write("half\n", to: dir.appendingPathComponent("savepoints/tidy/sp-000007/op-bids-00000.state.lz4"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("state/chk-000042").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("savepoints/tidy/sp-000007").path))
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count == 1000)
    }

    // MARK: - 3. Two instances

    /// Reproduction: a second `streamrun job.json` on the same state directory ran alongside the
    /// first, resumed from the same checkpoint, and removed control.json on exit.
    @Test func secondInstanceIsRefusedWhileTheFirstRuns() throws {
        let dir = try Harness.tempDir("two-instances")
        try Harness.write(Self.job(name: "q5", checkpoints: #"{ "dir": "state", "interval": "100ms" }"#),
                          to: dir.appendingPathComponent("job.json"))
        let first = try Self.start(["job.json"], in: dir, name: "first")
        defer { if first.process.isRunning { first.process.terminate() } }
        let control = dir.appendingPathComponent("state/control.json")
        try Self.waitFor("the first instance's control.json") { FileManager.default.fileExists(atPath: control.path) || !first.process.isRunning }
        let second = try Harness.run(["job.json"], cwd: dir)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains(#"error: job "q5" is already running (pid \#(first.process.processIdentifier), http://127.0.0.1:"#),
                "\(second.stderr)")
        #expect(first.process.isRunning)
        #expect(FileManager.default.fileExists(atPath: control.path), "the refused instance removed the running one's control.json")
        let status = try Harness.run(["status", "job.json"], cwd: dir)
        #expect(status.status == 0 && status.stdout.hasPrefix(#"job "q5": "#), "\(status.stderr)")
        let stop = try Harness.run(["stop", "job.json"], cwd: dir)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(first.finish().status == 0)
    }

    // MARK: - 4. Re-runs without checkpoints

    /// Reproduction: a re-run without checkpoints overwrote same-named part files and kept the rest
    /// of the earlier run's files.
    @Test func rerunWithoutCheckpointsRefusesToMixRunsAndOverwriteReplacesOnlyItsFiles() throws {
        let dir = try Harness.tempDir("rerun")
        let sinks = #"{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl", "rollSize": "64KB" }"#
        try Harness.write(Self.job(name: "again", count: 20_000, rate: nil, sinks: sinks), to: dir.appendingPathComponent("job.json"))
        let first = try Harness.run(["job.json"], cwd: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let out = dir.appendingPathComponent("out")
        let want = Harness.tree(out)
        #expect(want.count > 2)

        // A smaller second run would leave the first run's later part files behind.
        try Harness.write(Self.job(name: "again", count: 500, rate: nil, sinks: sinks), to: dir.appendingPathComponent("job.json"))
        try Harness.write("mine\n", to: out.appendingPathComponent("notes.txt"))
        let refused = try Harness.run(["job.json"], cwd: dir)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains(#"already holds \#(want.count) part files of sink "out" from an earlier run"#), "\(refused.stderr)")
        #expect(refused.stderr.contains("--overwrite"), "\(refused.stderr)")
        #expect(Harness.tree(out) == want.merging(["notes.txt": "mine\n"]) { a, _ in a }, "a refused run changed the output")

        let overwritten = try Harness.run(["job.json", "--overwrite"], cwd: dir)
        #expect(overwritten.status == 0, "\(overwritten.stderr)")
        let lines = Harness.sortedLines(out).filter { $0 != "mine" }
        #expect(lines.count == 500)
        #expect(Harness.tree(out)["notes.txt"] == "mine\n", "--overwrite removed a file that is not the sink's")
    }

    // MARK: - 18, 20. Stopping and leftovers

    /// Reproduction: the first SIGTERM did not stop a job whose stdout sink was stalled (a reader
    /// that stopped reading) within seconds: stopping waited on a blocked write.
    @Test func stopDoesNotWaitForeverOnAStalledStdout() throws {
        let dir = try Harness.tempDir("stalled-stdout")
        try Harness.write(Self.job(name: "stall", count: 10_000_000, rate: nil,
                                   sinks: #"{ "id": "show", "type": "stdout", "inputs": ["bids"], "format": "jsonl" }"#),
                          to: dir.appendingPathComponent("job.json"))
        let pipe = Pipe()  // never read: the pipe fills and every write blocks
        let run = try Self.start(["job.json", "--stop-timeout", "1s"], in: dir, stdout: pipe)
        defer { if run.process.isRunning { run.process.terminate() } }
        // Stalled: the sink has its first batch (about 440 KB of JSON lines, more than a pipe holds).
        try Self.waitFor("the sink to stall") {
            guard run.process.isRunning else { return true }
            let r = try Harness.run(["status", "--json", "job.json"], cwd: dir)
            let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let ops = json?["operators"] as? [[String: Any]] ?? []
            return ops.contains { $0["id"] as? String == "show" && ($0["recordsIn"] as? Int ?? 0) > 0 }
        }
        kill(run.process.processIdentifier, SIGTERM)
        let (status, stderr) = run.finish()
        #expect(run.process.terminationReason == .exit, "killed by a signal: \(stderr)")
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("did not stop within 1s"), "\(stderr)")
    }

    /// Reproduction: a sliding window with many windows per record ignored SIGTERM for seconds, and
    /// with every cooperative thread busy in operators nothing listened for the second signal.
    @Test func secondSignalExitsAtOnceWhileOperatorsAreBusy() throws {
        let dir = try Harness.tempDir("busy-signals")
        let text = #"""
            { "name": "busy", "parallelism": 2,
              "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": 100000000, "eventTime": { "field": "dateTime" } }],
              "operators": [{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["bidder"],
                              "window": { "type": "sliding", "size": "10s", "slide": "100ms" }, "aggregates": { "n": "count()" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["w"], "path": "out", "format": "csv" }] }
            """#
        try Harness.write(text, to: dir.appendingPathComponent("job.json"))
        let run = try Self.start(["job.json"], in: dir)
        defer { if run.process.isRunning { run.process.terminate() } }
        // Busy: records are flowing into the windows (the endpoint answers on a thread of its own).
        try Self.waitFor("the operators to be busy") {
            guard run.process.isRunning else { return true }
            let r = try Harness.run(["status", "--json", "job.json"], cwd: dir)
            let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let ops = json?["operators"] as? [[String: Any]] ?? []
            return ops.contains { $0["id"] as? String == "w" && ($0["recordsIn"] as? Int ?? 0) > 5_000 }
        }
        kill(run.process.processIdentifier, SIGTERM)
        // Two signals sent at once are one to the kernel: the second comes once the first is seen.
        try Self.waitFor("the job to be stopping") { run.stderr.contains("stopping: ") || !run.process.isRunning }
        // The endpoint answers while the operators keep every cooperative thread busy.
        let status = try Harness.run(["status", "--json", "job.json"], cwd: dir)
        #expect(status.stdout.contains(#""state" : "stopping""#), "\(status.stderr)")
        kill(run.process.processIdentifier, SIGTERM)
        let (exitStatus, stderr) = run.finish()
        #expect(run.process.terminationReason == .exit && exitStatus == 128 + SIGTERM, "\(exitStatus): \(stderr)")
    }

    /// Reproduction: every run left an empty `.streamrun/<name>/` behind.
    @Test func runWithoutCheckpointsLeavesNoStateDirectory() throws {
        let dir = try Harness.tempDir("no-leftovers")
        try Harness.write(Self.job(name: "clean", count: 100, rate: nil), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".streamrun").path))
    }

    // MARK: - 19, 23. Usability

    /// Reproduction: `streamrun --version` was missing, and `streamrun stauts job.json` fell through
    /// to `run` with no "did you mean".
    @Test func versionAndMistypedVerbs() throws {
        let version = try Harness.run(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty, "\(version.stderr)")
        let verb = try Harness.run(["version"])
        #expect(verb.status == 0 && verb.stdout.hasPrefix("streamrun "), "\(verb.stderr)")
        let typo = try Harness.run(["stauts", "job.json"])
        #expect(typo.status == 2)
        #expect(typo.stderr == "error: unknown command \"stauts\" (did you mean \"status\"?); run `streamrun --help` for the commands\n",
                "\(typo.stderr)")
    }

    /// Reproduction: `streamrun bench` wrote its 216 MB input file before printing anything.
    @Test func benchSaysWhatItIsWritingFirst() throws {
        let dir = try Harness.tempDir("bench-progress")
        let r = try Harness.run(["bench", "--events", "2000", "--runs", "1", "--queries", "q2", "--dir", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("writing 2000 bids to \(dir.path)/bids-2000.jsonl"), "\(r.stdout)")
    }
}
