import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Sink retries and circuit breakers (issue 13) through the binary, against injected write and commit
/// failures (`"faults"`, `--allow-faults`): a transient failure heals in place without a restart; a
/// persistent one opens the breaker, the records go to the fallback sink, a real local webhook hears
/// `circuit_open` and `circuit_closed`; without a fallback the job waits with bounded memory. The
/// output is exactly the input, once, every time.
@Suite struct SinkFailureTests {
    static func input(_ dir: URL, count: Int) throws -> [String] {
        let lines = (0..<count).map { #"{"a":\#($0)}"# }
        try Harness.write(lines.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("in.jsonl"))
        return lines.sorted()
    }

    static func sinkStatus(_ status: [String: Any], _ id: String) -> [String: Any] {
        (status["sinks"] as? [[String: Any]])?.first { $0["id"] as? String == id } ?? [:]
    }

    /// Resident memory of a process in KiB (`VmRSS` in /proc).
    static func residentKiB(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// (1) A write that fails transiently is retried in place; a commit too. No restart, exactly once.
    @Test func aTransientSinkFailureHealsByRetryWithoutARestart() throws {
        let dir = try Harness.tempDir("sink-transient")
        let expected = try Self.input(dir, count: 5000)
        try Harness.write("""
            { "name": "sink-transient", "checkpoints": { "dir": "state", "interval": "100ms" },
              "faults": [{ "node": "o", "type": "fail-writes", "times": 3 }, { "node": "o", "type": "fail-commits", "times": 2 }],
              "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int" }, "maxRecordsPerSecond": 20000 }],
              "sinks": [{ "id": "o", "type": "file", "inputs": ["s"], "path": "out",
                          "retry": { "maxRetries": 5, "initialInterval": "10ms", "maxInterval": "100ms" } }] }
            """, to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("restarting"), "\(r.stderr)")
        let retries = r.stderr.split(separator: "\n").filter { $0.contains("sink o: ") && $0.contains(" failed: ") && $0.contains("; retry ") }
        #expect(retries.count == 5, "\(r.stderr)")
        #expect(r.stderr.contains("sink o: write failed: faults[0]: injected fault (fail-writes) on a write; retry 1 of 5 in "), "\(r.stderr)")
        #expect(r.stderr.contains("; retry 2 of 5 in ") && r.stderr.contains("; retry 3 of 5 in "), "\(r.stderr)")
        #expect(r.stderr.contains("injected fault (fail-commits) committing checkpoint"), "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")) == expected)
    }

    /// Without a breaker, retries run out and the job restarts from its checkpoint (then heals).
    @Test func retriesThatRunOutRestartTheJob() throws {
        let dir = try Harness.tempDir("sink-retries-out")
        let expected = try Self.input(dir, count: 5000)
        try Harness.write("""
            { "name": "sink-retries-out", "checkpoints": { "dir": "state", "interval": "100ms" },
              "restart": { "strategy": "fixed-delay", "attempts": 3, "delay": "10ms" },
              "faults": [{ "node": "o", "type": "fail-writes", "times": 3 }],
              "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int" }, "maxRecordsPerSecond": 20000 }],
              "sinks": [{ "id": "o", "type": "file", "inputs": ["s"], "path": "out", "retry": { "maxRetries": 1, "initialInterval": "10ms" } }] }
            """, to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains(#"job failed: faults[0]: sink "o": injected fault (fail-writes) on a write (after 1 retry); restarting"#), "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")) == expected)
    }

    /// (2) A sink that keeps failing opens its breaker; its records go to the fallback sink; the
    /// webhook hears `circuit_open` with the details, then `circuit_closed` once the fault ends.
    @Test func aPersistentFailureOpensTheBreakerToTheFallbackThenCloses() throws {
        let listener = try AlertTests.Listener()
        let dir = try Harness.tempDir("sink-breaker")
        let expected = try Self.input(dir, count: 20000)
        try Harness.write("", to: dir.appendingPathComponent("o-down"))
        try Harness.write("""
            { "name": "sink-breaker", "checkpoints": { "dir": "state", "interval": "100ms" },
              "faults": [{ "node": "o", "type": "fail-writes", "while": "o-down" }],
              "alerts": [{ "on": ["circuit_open", "circuit_closed"], "webhook": "http://127.0.0.1:\(listener.port)/hook" }],
              "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int" }, "maxRecordsPerSecond": 5000 }],
              "sinks": [
                { "id": "o", "type": "file", "inputs": ["s"], "path": "out", "fallback": "backup",
                  "retry": { "initialInterval": "10ms", "maxInterval": "20ms" },
                  "circuitBreaker": { "failureThreshold": 3, "openFor": "100ms" } },
                { "id": "backup", "type": "file", "path": "backup" }] }
            """, to: dir.appendingPathComponent("job.json"))
        let running = try DataAndProgressTests.start(["run", "job.json", "--allow-faults"], in: dir)
        defer {
            if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
            running.process.waitUntilExit()
        }
        try listener.waitFor(event: "circuit_open", from: running)
        var status: [String: Any] = [:]
        try DataAndProgressTests.waitFor("records going to the fallback") {
            status = try SourceFailureTests.statusJSON(dir)
            return (Self.sinkStatus(status, "o")["fallbackRecords"] as? Int ?? 0) > 0 || !running.process.isRunning
        }
        #expect(running.process.isRunning, "the job ended during the outage: \(running.stderr)")
        let sink = Self.sinkStatus(status, "o")
        #expect(["open", "half-open"].contains(sink["circuit"] as? String ?? ""), "\(status)")
        #expect((sink["failures"] as? Int ?? 0) >= 3 && sink["fallback"] as? String == "backup", "\(status)")
        let text = try Harness.run(["status", "job.json"], cwd: dir)
        #expect(text.stdout.contains("sink o: circuit "), "\(text.stdout)")
        let control = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("state/control.json"))) as? [String: Any]
        let metrics = try LocalHTTP.get(try #require(control?["url"] as? String) + "/metrics").body
        #expect(metrics.contains(#"streamrun_sink_circuit_state{job_name="sink-breaker",sink="o"} "#), "\(metrics)")
        #expect(metrics.contains(#"streamrun_sink_fallback_records_total{job_name="sink-breaker",sink="o"} "#), "\(metrics)")

        let open = try #require(try AlertTests.objects(listener.received).first)
        #expect(open["event"] as? String == "circuit_open" && open["node"] as? String == "o" && open["job"] as? String == "sink-breaker")
        #expect(open["errorCode"] as? String == "injected-fault" && open["errorClass"] as? String == "transient", "\(open)")
        #expect(open["attempt"] as? Int == 3, "consecutive failures: \(open)")
        #expect((open["message"] as? String)?.contains(#"circuit breaker opened after 3 consecutive failures"#) == true, "\(open)")
        #expect((open["message"] as? String)?.contains(#"its records go to sink "backup""#) == true, "\(open)")
        #expect(((open["log"] as? [String]) ?? []).contains { $0.contains("injected fault (fail-writes)") }, "\(open)")

        // The outage ends: a probe goes through and the breaker closes.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("o-down"))
        try listener.waitFor(event: "circuit_closed", from: running)
        let (code, stderr) = running.finish()
        #expect(code == 0, "\(stderr)")
        #expect(stderr.contains("sink o: circuit breaker closed"), "\(stderr)")
        #expect(!stderr.contains("restarting"), "\(stderr)")
        let events = try AlertTests.objects(listener.received)
        #expect(events.map { $0["event"] as? String }.prefix(2) == ["circuit_open", "circuit_closed"], "\(listener.received)")
        let primary = Harness.sortedLines(dir.appendingPathComponent("out"))
        let backup = Harness.sortedLines(dir.appendingPathComponent("backup"))
        #expect(!primary.isEmpty && !backup.isEmpty, "primary \(primary.count), backup \(backup.count)")
        #expect((primary + backup).sorted() == expected, "every record once, in one of the two")
    }

    /// (3) Without a fallback, an open breaker holds the sink: its input backs up to the source,
    /// which stops reading (memory stays bounded), and once the destination heals nothing is lost.
    @Test func withoutAFallbackTheJobWaitsWithBoundedMemoryAndLosesNothing() throws {
        let dir = try Harness.tempDir("sink-backpressure")
        let count = 1_000_000
        let expected = try Self.input(dir, count: count)
        try Harness.write("", to: dir.appendingPathComponent("o-down"))
        try Harness.write("""
            { "name": "sink-backpressure", "checkpoints": { "dir": "state", "interval": "200ms" },
              "faults": [{ "node": "o", "type": "fail-writes", "while": "o-down", "after": "0ms" }],
              "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int" }, "parallelism": 1 }],
              "sinks": [{ "id": "o", "type": "file", "inputs": ["s"], "path": "out", "parallelism": 2,
                          "retry": { "initialInterval": "10ms", "maxInterval": "20ms" },
                          "circuitBreaker": { "failureThreshold": 2, "openFor": "50ms" } }] }
            """, to: dir.appendingPathComponent("job.json"))
        let running = try DataAndProgressTests.start(["run", "job.json", "--allow-faults"], in: dir)
        defer {
            if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
            running.process.waitUntilExit()
        }
        // Backpressure reaches the source (the sink runs in tasks of its own, behind queues): it has
        // waited on full queues, more and more.
        var read: [Int] = []
        var peakKiB = 0
        for waitedMs in [500, 1500] {
            try DataAndProgressTests.waitFor("the source blocked for \(waitedMs) ms") {
                let status = try SourceFailureTests.statusJSON(dir)
                let source = SourceFailureTests.source(status, "s")
                if (source["backpressureMs"] as? Int ?? 0) >= waitedMs {
                    read.append(source["recordsOut"] as? Int ?? -1)
                    return true
                }
                return !running.process.isRunning
            }
            peakKiB = max(peakKiB, Self.residentKiB(running.process.processIdentifier))
        }
        #expect(running.process.isRunning, "\(running.stderr)")
        #expect(read.count == 2 && read[0] == read[1], "the source read on while the sink was blocked: \(read)")
        #expect(read[0] < count, "the source read everything (\(read[0])): nothing held it back")
        #expect(peakKiB > 0 && peakKiB < 256 * 1024, "resident memory while blocked: \(peakKiB) KiB")
        print("sink-backpressure: source held at \(read[0]) of \(count) records, resident \(peakKiB / 1024) MiB while the breaker was open")

        try FileManager.default.removeItem(at: dir.appendingPathComponent("o-down"))
        let (code, stderr) = running.finish()
        #expect(code == 0, "\(stderr)")
        #expect(stderr.contains("the sink waits (its input backs up; nothing is dropped)"), "\(stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")) == expected)
    }
}
