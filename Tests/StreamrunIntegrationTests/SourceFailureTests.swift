import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Failing sources through the binary (issue 13): a source whose reads fail past their retries
/// switches to its fallback, and a restore after `kill -9` continues there; an optional source that
/// fails leaves the job running degraded, alerts a real webhook, and rejoins when the outage ends.
/// The outages are injected (`fail-reads` while a file the test controls exists, `--allow-faults`).
@Suite struct SourceFailureTests {
    /// `count` records `{"k": "<tag>", "n": i}` spread over four files in `<dir>/<name>/`.
    static func input(_ dir: URL, _ name: String, tag: String, count: Int) throws -> [String] {
        var all: [String] = []
        for f in 0..<4 {
            let lines = stride(from: f, to: count, by: 4).map { #"{"k":"\#(tag)","n":\#($0)}"# }
            all += lines
            try Harness.write(lines.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("\(name)/part-\(f).jsonl"))
        }
        return all.sorted()
    }

    static func statusJSON(_ dir: URL) throws -> [String: Any] {
        let r = try Harness.run(["status", "--json", "job.json"], cwd: dir)
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    static func source(_ status: [String: Any], _ id: String) -> [String: Any] {
        (status["operators"] as? [[String: Any]])?.first { $0["id"] as? String == id } ?? [:]
    }

    @Test func aFallbackTakesOverAndARestoreContinuesOnIt() throws {
        let dir = try Harness.tempDir("source-fallback")
        let expected = try Self.input(dir, "in", tag: "s", count: 10000)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("in"), to: dir.appendingPathComponent("mirror"))
        try Harness.write("""
            { "name": "fo", "checkpoints": { "dir": "state", "interval": "100ms" },
              "faults": [{ "node": "s", "type": "fail-reads", "while": "primary-down" }],
              "sources": [
                { "id": "s", "type": "file", "path": "in", "schema": { "k": "string", "n": "int" }, "maxRecordsPerSecond": 2000,
                  "retry": { "maxRetries": 2, "initialInterval": "10ms" }, "fallback": "backup" },
                { "id": "backup", "type": "file", "path": "mirror", "schema": { "k": "string", "n": "int" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["s"], "path": "out" }] }
            """, to: dir.appendingPathComponent("job.json"))

        let first = try DataAndProgressTests.start(["-q", "job.json", "--allow-faults"], in: dir, name: "first")
        defer {
            if first.process.isRunning { kill(first.process.processIdentifier, SIGKILL) }
            first.process.waitUntilExit()
        }
        try DataAndProgressTests.waitFor("a first checkpoint") { !CheckpointDirs.complete(dir).isEmpty || !first.process.isRunning }
        // The primary goes down: two retries, then the switch.
        try Harness.write("", to: dir.appendingPathComponent("primary-down"))
        try DataAndProgressTests.waitFor("the switch to the fallback") {
            first.stderr.contains(#"source "s" failed past its retries"#) || !first.process.isRunning
        }
        #expect(first.stderr.contains(#"switching to its fallback "backup" ("#), "\(first.stderr)")
        #expect(first.stderr.contains("injected fault (fail-reads) reading "), "\(first.stderr)")
        #expect(Self.source(try Self.statusJSON(dir), "s")["onFallback"] as? Bool == true)
        // A checkpoint on the fallback side, then a crash.
        let before = CheckpointDirs.complete(dir).last ?? 0
        try DataAndProgressTests.waitFor("a checkpoint after the switch") {
            (CheckpointDirs.complete(dir).last ?? 0) > before + 1 || !first.process.isRunning
        }
        #expect(first.process.isRunning, "the job ended before the crash: \(first.stderr)")
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()

        // The primary is still down: a restore on the primary would retry and switch again; on the
        // fallback it reads on without a failure.
        let second = try Harness.run(["-q", "job.json", "--allow-faults"], cwd: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("retrying in") && !second.stderr.contains("switching to its fallback"), "\(second.stderr)")
        CheckpointDirs.expectNoStackTrace(second.stderr)
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")) == expected)
    }

    @Test func anOptionalSourceThatFailsLeavesTheJobDegradedThenRejoins() throws {
        let listener = try AlertTests.Listener()
        let dir = try Harness.tempDir("source-degraded")
        let expected = (try Self.input(dir, "in-a", tag: "a", count: 10000) + Self.input(dir, "in-b", tag: "b", count: 2000)).sorted()
        try Harness.write("", to: dir.appendingPathComponent("b-down"))
        try Harness.write("""
            { "name": "deg", "checkpoints": { "dir": "state", "interval": "100ms" },
              "faults": [{ "node": "b", "type": "fail-reads", "while": "b-down" }],
              "alerts": [{ "on": ["source_degraded", "resolved"], "webhook": "http://127.0.0.1:\(listener.port)/hook" }],
              "sources": [
                { "id": "a", "type": "file", "path": "in-a", "schema": { "k": "string", "n": "int" }, "maxRecordsPerSecond": 2000 },
                { "id": "b", "type": "file", "path": "in-b", "schema": { "k": "string", "n": "int" }, "optional": true,
                  "retry": { "maxRetries": 1, "initialInterval": "10ms", "maxInterval": "100ms" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["a", "b"], "path": "out" }] }
            """, to: dir.appendingPathComponent("job.json"))
        let running = try DataAndProgressTests.start(["run", "job.json", "--allow-faults"], in: dir)
        defer {
            if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
            running.process.waitUntilExit()
        }
        try listener.waitFor(event: "source_degraded", from: running)
        // Degraded, and the other source goes on.
        var status: [String: Any] = [:]
        try DataAndProgressTests.waitFor("source a reading while b is degraded") {
            status = try Self.statusJSON(dir)
            return (Self.source(status, "a")["recordsOut"] as? Int ?? 0) > 0 || !running.process.isRunning
        }
        #expect(running.process.isRunning, "the job ended while b was down: \(running.stderr)")
        #expect(status["degraded"] as? [String] == ["b"], "\(status)")
        #expect(Self.source(status, "b")["degraded"] as? Bool == true, "\(status)")
        #expect((Self.source(status, "b")["readRetries"] as? Int ?? 0) >= 1, "\(status)")
        let text = try Harness.run(["status", "job.json"], cwd: dir)
        #expect(text.stdout.hasPrefix(#"job "deg": running (degraded: b), up "#), "\(text.stdout)")
        #expect(text.stdout.contains("source b: degraded, "), "\(text.stdout)")
        let control = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("state/control.json"))) as? [String: Any]
        let metrics = try LocalHTTP.get(try #require(control?["url"] as? String) + "/metrics").body
        #expect(metrics.contains(#"streamrun_source_degraded{job_name="deg",node="b"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"streamrun_source_degraded{job_name="deg",node="a"} 0"#), "\(metrics)")
        #expect(metrics.contains(#"streamrun_source_read_retries_total{job_name="deg",node="b"} "#), "\(metrics)")
        let alert = try #require(try AlertTests.objects(listener.received).first)
        #expect(alert["node"] as? String == "b" && alert["job"] as? String == "deg", "\(alert)")
        #expect((alert["message"] as? String)?.contains("injected fault (fail-reads)") == true, "\(alert)")

        // The outage ends: b rejoins, and the job reads it to its end.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("b-down"))
        try listener.waitFor(event: "resolved", from: running)
        let (code, stderr) = running.finish()
        #expect(code == 0, "\(stderr)")
        #expect(stderr.contains(#"source "b" rejoined"#), "\(stderr)")
        let events = try AlertTests.objects(listener.received)
        #expect(events.map { $0["event"] as? String } == ["source_degraded", "resolved"], "\(listener.received)")
        #expect(events.last?["node"] as? String == "b")
        #expect((events.last?["message"] as? String)?.contains(#"source "b" rejoined"#) == true)
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")) == expected)
    }
}
