import Foundation
import Logging
import StreamrunCore
import StreamrunPlan
import Synchronization
import Testing

@testable import StreamrunJob

/// The launcher restarts a checkpointed job from its last checkpoint after a failure that is not the
/// user's, at most `maxRestarts` times, and the committed output is still exactly that of a clean run.
///
/// The failure is real: a regular file sits where the sink must create a partition directory, so
/// creating it fails with a write error. The notice callback removes that file when the launcher
/// announces the restart, which makes the failure transient and the test free of timing.
@Suite struct JobRestartTests {
    /// What the launcher logged (through ``logger``).
    final class Notices: Sendable {
        private let messages = Mutex<[String]>([])
        /// Removed when a restart is announced.
        let blocker: String?

        init(removingOnRestart blocker: String? = nil) { self.blocker = blocker }

        func append(_ message: String) {
            messages.withLock { $0.append(message) }
            if let blocker, message.contains("restarting from the last checkpoint") {
                try? FileManager.default.removeItem(atPath: blocker)
            }
        }

        var all: [String] { messages.withLock { $0 } }
        /// A logger whose every message is appended here.
        var logger: Logger { Logger(label: "test") { _ in CapturingLogHandler { self.append($0) } } }
        var restarts: [String] { all.filter { $0.contains("restarting from the last checkpoint") } }
    }

    static func lines(_ ids: Range<Int>, part: (Int) -> String) -> String {
        ids.map { #"{"id": \#($0), "part": "\#(part($0))", "name": "n\#($0)"}"# + "\n" }.joined()
    }

    /// The sink does not retry in place, so each of its failures restarts the job (what these tests are about).
    static func plan(_ dir: URL, follow: Bool) throws -> JobPlan {
        let job = #"""
            { "name": "restart", "parallelism": 1,
              "checkpoints": { "dir": "\#(dir.path)/state", "interval": "50ms" },
              "sources": [{ "id": "in", "type": "file", "path": "\#(dir.path)/in", "format": "jsonl", "follow": \#(follow),
                            "schema": { "id": "int", "part": "string", "name": "string" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["in"], "path": "\#(dir.path)/out", "format": "csv",
                          "partitionBy": "part", "retry": { "maxRetries": 0 } }] }
            """#
        return try JobLoader.parse(data: Array(job.utf8), file: "job.json")
    }

    static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamrun-restart-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("in"), withIntermediateDirectories: true)
        return url
    }

    /// Committed part files below `out` (relative path → contents); hidden files are reported.
    static func committed(_ out: URL) -> [String: String] {
        var files: [String: String] = [:]
        guard let e = FileManager.default.enumerator(at: out, includingPropertiesForKeys: nil) else { return files }
        for case let url as URL in e where !url.hasDirectoryPath {
            let rel = String(url.path.dropFirst(out.path.count + 1))
            if url.lastPathComponent.hasPrefix("part-") { files[rel] = (try? String(contentsOf: url, encoding: .utf8)) ?? "<binary>" }
        }
        return files
    }

    /// Per partition: the committed files concatenated in name order (part files are cut at
    /// checkpoints, so only the concatenation is comparable between runs).
    static func streams(_ out: URL) -> [String: String] {
        var byPartition: [String: [(String, String)]] = [:]
        for (path, text) in committed(out) {
            let parts = path.split(separator: "/")
            byPartition[parts.dropLast().joined(separator: "/"), default: []].append((String(parts.last!), text))
        }
        return byPartition.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1).joined() }
    }

    static func committedRecords(_ out: URL) -> Int {
        committed(out).values.reduce(0) { $0 + $1.split(separator: "\n").count }
    }

    /// Polls until `condition` holds; gives up if `launcher` ended. The limit only guards against a
    /// hang; it is not a timing assertion.
    static func waitUntil(_ what: String, launcher: JobLauncher, notices: Notices? = nil, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while !condition() {
            let state = launcher.status().state
            guard state != .failed && state != .finished else {
                throw StreamrunError(.internalError, "the job \(state) before \(what): \(notices?.all ?? [])")
            }
            guard ContinuousClock.now < deadline else {
                throw StreamrunError(.internalError, "timed out waiting until \(what): \(notices?.all ?? [])")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Follows `in/`: 2,000 records of partitions p0 and p1, committed by a checkpoint; then (with
    /// `block`) a regular file at `out/dt=p2`; then 1,000 records of p2. Stops once all 3,000 are
    /// committed.
    static func followingRun(_ name: String, block: Bool, fresh: Bool) async throws -> (streams: [String: String], notices: Notices) {
        let dir = try tempDir(name)
        let out = dir.appendingPathComponent("out")
        let blocker = out.appendingPathComponent("dt=p2")
        try Data(lines(0..<2000) { $0 < 1000 ? "p0" : "p1" }.utf8).write(to: dir.appendingPathComponent("in/a.jsonl"))
        let notices = Notices(removingOnRestart: block ? blocker.path : nil)
        let launcher = JobLauncher(plan: try plan(dir, follow: true),
                                   options: .init(fresh: fresh, maxRestarts: 3, restartDelayMs: 10, jobDirectory: dir.path), logger: notices.logger)
        let run = Task { try await launcher.run(statusLine: false) }
        do {
            try await waitUntil("p0 and p1 are committed", launcher: launcher, notices: notices) { committedRecords(out) >= 2000 }
            if block { try Data("in the way\n".utf8).write(to: blocker) }
            // A new file appears whole: written aside, then renamed into the followed directory.
            let aside = dir.appendingPathComponent("b.jsonl")
            try Data(lines(2000..<3000) { _ in "p2" }.utf8).write(to: aside)
            try FileManager.default.moveItem(at: aside, to: dir.appendingPathComponent("in/b.jsonl"))
            try await waitUntil("everything is committed", launcher: launcher, notices: notices) { committedRecords(out) >= 3000 }
        } catch {
            launcher.requestStop()
            _ = try? await run.value
            throw error
        }
        launcher.requestStop()
        let summary = try await run.value
        #expect(summary.sources.first?.records ?? 0 > 0)
        let hidden = (FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? [])
            .filter { $0.split(separator: "/").last?.hasPrefix(".") == true }
        #expect(hidden.isEmpty, "left behind: \(hidden)")
        return (streams(out), notices)
    }

    /// With `fresh`, the restart must resume from this run's own checkpoint, not start over (which
    /// would be refused: the sink already holds committed output).
    @Test(arguments: [false, true])
    func transientFailureRestartsFromTheLastCheckpoint(fresh: Bool) async throws {
        let clean = try await Self.followingRun("clean", block: false, fresh: fresh)
        #expect(clean.notices.restarts.isEmpty, "\(clean.notices.all)")
        let want = (0..<3000).map { "\($0),\($0 < 1000 ? "p0" : $0 < 2000 ? "p1" : "p2"),n\($0)\n" }
        #expect(clean.streams == ["dt=p0": want[0..<1000].joined(), "dt=p1": want[1000..<2000].joined(), "dt=p2": want[2000...].joined()])

        let failed = try await Self.followingRun("failed", block: true, fresh: fresh)
        let restarts = failed.notices.restarts
        #expect(restarts.count == 1, "\(failed.notices.all)")
        let blocked = "/out/dt=p2: not a directory; restarting from the last checkpoint in 10 ms (attempt 1 of 3)"
        #expect(restarts.first?.hasPrefix("job failed: cannot create directory ") == true && restarts.first?.hasSuffix(blocked) == true,
                "\(restarts)")
        #expect(failed.notices.all.contains { $0.hasPrefix("resuming from checkpoint ") }, "\(failed.notices.all)")
        #expect(failed.streams == clean.streams, "the restarted run's committed output differs from a clean run's")
    }

    /// A followed source with nothing new lets checkpoints through, so what it read is committed
    /// while the job waits for more (it used to wait for new data before injecting a barrier).
    @Test func idleFollowedSourceStillCommitsAtCheckpoints() async throws {
        let dir = try Self.tempDir("idle")
        try Data(Self.lines(0..<500) { _ in "p0" }.utf8).write(to: dir.appendingPathComponent("in/a.jsonl"))
        let launcher = JobLauncher(plan: try Self.plan(dir, follow: true), options: .init(restartDelayMs: 10))
        let run = Task { try await launcher.run(statusLine: false) }
        var timedOut: (any Error)?
        do {
            try await Self.waitUntil("the records are committed", launcher: launcher) { Self.committedRecords(dir.appendingPathComponent("out")) >= 500 }
        } catch {
            timedOut = error
        }
        launcher.requestStop()
        _ = try await run.value
        if let timedOut { throw timedOut }
        #expect(Self.committedRecords(dir.appendingPathComponent("out")) == 500)
    }

    /// A job directory whose input all goes to partition `p0`, where a file stands in place of the
    /// partition directory: a transient failure that never heals.
    static func blockedPartition(_ name: String) throws -> URL {
        let dir = try tempDir(name)
        try Data(lines(0..<100) { _ in "p0" }.utf8).write(to: dir.appendingPathComponent("in/a.jsonl"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        try Data("in the way\n".utf8).write(to: dir.appendingPathComponent("out/dt=p0"))
        return dir
    }

    /// A failure that does not heal is restarted `maxRestarts` times, then reported.
    @Test func persistentFailureGivesUpAfterMaxRestarts() async throws {
        let dir = try Self.blockedPartition("persistent")
        let notices = Notices()
        let launcher = JobLauncher(plan: try Self.plan(dir, follow: false),
                                   options: .init(maxRestarts: 2, restartDelayMs: 10), logger: notices.logger)
        do {
            _ = try await launcher.run(statusLine: false)
            Issue.record("the job succeeded with a file in place of its partition directory")
        } catch {
            #expect(error.code == .writeFailed)
            #expect(error.retry == .transient)
            #expect(error.description == "cannot create directory \(dir.path)/out/dt=p0: not a directory")
        }
        #expect(notices.restarts.map { String($0.suffix(16)) } == ["(attempt 1 of 2)", "(attempt 2 of 2)"], "\(notices.all)")
    }

    /// Exponential delay: the announced delays grow by the multiplier up to the cap (no jitter here),
    /// and when the attempts run out a final report names the reason, the class and how to resume.
    @Test func exponentialDelayGrowsThenReportsWhenAttemptsRunOut() async throws {
        let dir = try Self.blockedPartition("exponential")
        let notices = Notices()
        var e = RestartSpec.ExponentialDelay()
        e.initialBackoffMs = 5
        e.maxBackoffMs = 30
        e.multiplier = 3
        e.jitter = 0
        e.attempts = 4
        var options = JobLauncher.Options(jobDirectory: dir.path)
        options.restart = .exponentialDelay(e)
        let launcher = JobLauncher(plan: try Self.plan(dir, follow: false), options: options, logger: notices.logger)
        await #expect(throws: StreamrunError.self) { _ = try await launcher.run(statusLine: false) }
        let delays = notices.restarts.map { line in line.components(separatedBy: " in ").last!.components(separatedBy: " ms").first! }
        #expect(delays == ["5", "15", "30", "30"], "\(notices.all)")
        #expect(notices.restarts.last?.hasSuffix("(attempt 4 of 4)") == true)
        let report = notices.all.first { $0.hasPrefix("giving up after 4 restarts") }
        #expect(report?.contains("4 restarts (exponential-delay) used up") == true, "\(notices.all)")
        #expect(report?.contains("the cause was a transient error (write-failed)") == true, "\(notices.all)")
        #expect(report?.contains("run the job again to resume") == true, "\(notices.all)")
    }

    /// A malformed input record is the user's error: reported at once, never restarted.
    @Test func userErrorIsNotRestarted() async throws {
        let dir = try Self.tempDir("user")
        var text = Self.lines(0..<1499) { _ in "p0" }
        text += #"{"id": "abc", "part": "p0", "name": "bad"}"# + "\n"
        text += Self.lines(1500..<3000) { _ in "p0" }
        try Data(text.utf8).write(to: dir.appendingPathComponent("in/a.jsonl"))
        let notices = Notices()
        let launcher = JobLauncher(plan: try Self.plan(dir, follow: false),
                                   options: .init(maxRestarts: 3, restartDelayMs: 10), logger: notices.logger)
        do {
            _ = try await launcher.run(statusLine: false)
            Issue.record("the job accepted a malformed record")
        } catch {
            #expect(error.code == .malformedRecord)
            #expect(error.retry == .user)
            #expect(error.location == "\(dir.path)/in/a.jsonl:1500", "\(error)")
        }
        #expect(notices.restarts.isEmpty, "\(notices.all)")
    }
}
