import Foundation
import Testing

/// Resuming after job.json changed, by Flink's rules: an operator of the checkpoint that holds state
/// must still be there with the same type, or the run is refused with one message naming it; an
/// operator without state may go; a new operator or sink starts empty.
@Suite struct CheckpointCompatibilityTests {
    static let filter = #"{ "id": "cheap", "type": "filter", "inputs": ["bids"], "where": "k != 3" }"#
    static let dedupe = #"{ "id": "once", "type": "dedupe", "inputs": ["cheap"], "keyBy": ["k"], "within": "500ms" }"#
    static let sink = #"{ "id": "out", "type": "file", "inputs": ["once"], "path": "out", "format": "csv" }"#
    static let records = 3000

    static func job(operators: [String] = [filter, dedupe], sinks: [String] = [sink], rate: Int? = nil) -> String {
        let limit = rate.map { #", "maxRecordsPerSecond": \#($0)"# } ?? ""
        return #"""
            { "name": "compat", "parallelism": 1,
              "checkpoints": { "dir": "state", "interval": "100ms" },
              "sources": [{ "id": "bids", "type": "file", "path": "in.jsonl", "format": "jsonl"\#(limit),
                            "schema": { "id": "int", "k": "int", "ts": "int" }, "eventTime": { "field": "ts" } }],
              "operators": [\#(operators.joined(separator: ",\n"))],
              "sinks": [\#(sinks.joined(separator: ",\n"))] }
            """#
    }

    /// A job directory with the input and job.json, run once to the end (which leaves a final checkpoint).
    func finishedRun(_ name: String) throws -> URL {
        let dir = try prepare(name, job: Self.job())
        let r = try Harness.run(["-q", "job.json"], cwd: dir)
        try #require(r.status == 0, "\(r.stderr)")
        try #require(!CheckpointDirs.complete(dir).isEmpty, "a finished run leaves a final checkpoint")
        return dir
    }

    func prepare(_ name: String, job: String) throws -> URL {
        let dir = try Harness.tempDir(name)
        let lines = (0..<Self.records).map { #"{"id": \#($0), "k": \#($0 % 37), "ts": \#(1_700_000_000_000 + $0 * 10)}"# }
        try Harness.write(lines.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("in.jsonl"))
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        return dir
    }

    /// Reruns `dir` with a changed job.json and expects a refusal: exit 2, one error line holding
    /// every one of `gist`, no crash, and neither the output nor the checkpoints touched.
    func expectRefused(_ dir: URL, job: String, _ gist: [String]) throws {
        let before = (Harness.tree(dir.appendingPathComponent("out")), Harness.tree(dir.appendingPathComponent("state")))
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 2, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 1, "one message, got: \(r.stderr)")
        #expect(lines.first?.hasPrefix("error: ") == true, "\(r.stderr)")
        for g in gist { #expect(r.stderr.contains(g), "missing \"\(g)\" in: \(r.stderr)") }
        CheckpointDirs.expectNoStackTrace(r.stderr)
        #expect(Harness.tree(dir.appendingPathComponent("out")) == before.0, "a refused run changed the output")
        #expect(Harness.tree(dir.appendingPathComponent("state")) == before.1, "a refused run changed the checkpoints")
    }

    static func chk(_ id: some BinaryInteger) -> String { "chk-" + String(format: "%06d", Int(id)) }

    @Test func removedStatefulOperatorIsRefusedNamingIt() throws {
        let dir = try finishedRun("compat-removed")
        let id = try #require(CheckpointDirs.complete(dir).last)
        let job = Self.job(operators: [Self.filter],
                           sinks: [#"{ "id": "out", "type": "file", "inputs": ["cheap"], "path": "out", "format": "csv" }"#])
        try expectRefused(dir, job: job, [
            "error: state/\(Self.chk(id)) holds state of dedupe \"once\", which job.json no longer has; "
                + "add it back with the same id, or pass --allow-non-restored-state to drop its state",
        ])
    }

    @Test func changedOperatorTypeIsRefusedNamingIt() throws {
        let dir = try finishedRun("compat-type")
        let id = try #require(CheckpointDirs.complete(dir).last)
        let window = #"{ "id": "once", "type": "window", "inputs": ["cheap"], "keyBy": ["k"], "window": { "type": "tumbling", "size": "1s" }, "aggregates": { "n": "count()" } }"#
        try expectRefused(dir, job: Self.job(operators: [Self.filter, window]), [
            "error: operators[1]: operator \"once\" was a dedupe in state/\(Self.chk(id)) and is a window now; "
                + "its state cannot be restored (give the new operator another id, or start over with --fresh)",
        ])
    }

    @Test func allowNonRestoredStateDropsTheRemovedOperatorsState() throws {
        let dir = try finishedRun("compat-allow")
        let id = try #require(CheckpointDirs.complete(dir).last)
        let job = Self.job(operators: [Self.filter],
                           sinks: [#"{ "id": "out", "type": "file", "inputs": ["cheap"], "path": "out2", "format": "csv" }"#])
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        let check = try Harness.run(["restore", "--check", "job.json", "state", "--allow-non-restored-state"], cwd: dir)
        #expect(check.status == 0, "\(check.stderr)")
        let lines = check.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
        #expect(lines == ["restoring state/\(Self.chk(id))", "restored bids", "restored cheap", "dropped once", "restored out",
                          "warning: dropping"], "\(check.stdout)")
        let refused = try Harness.run(["restore", "--check", "job.json", "state"], cwd: dir)
        #expect(refused.status == 2 && refused.stderr.contains("--allow-non-restored-state"), "\(refused.stderr)")

        let r = try Harness.run(["job.json", "--allow-non-restored-state"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: dropping the state of dedupe \"once\", which job.json no longer has (--allow-non-restored-state)"),
                "\(r.stderr)")
        #expect(r.stderr.contains("resuming from checkpoint \(id) "), "\(r.stderr)")
        CheckpointDirs.expectNoStackTrace(r.stderr)
    }

    @Test func restoreCheckNamesNewOperatorsAsFresh() throws {
        let dir = try finishedRun("compat-check")
        let extra = #"{ "id": "audit", "type": "file", "inputs": ["cheap"], "path": "audit", "format": "csv" }"#
        try Harness.write(Self.job(sinks: [Self.sink, extra]), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["restore", "--check", "job.json", "state"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("fresh    audit (sink:file)"), "\(r.stdout)")
        #expect(r.stdout.contains("restored once (dedupe)"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("audit").path), "--check must not run the job")
    }

    /// Flink skips the empty state of a removed stateless operator; so does streamrun, with a warning.
    @Test func removedStatelessOperatorIsDroppedWithAWarning() throws {
        let dir = try finishedRun("compat-stateless")
        let id = try #require(CheckpointDirs.complete(dir).last)
        let dedupe = #"{ "id": "once", "type": "dedupe", "inputs": ["bids"], "keyBy": ["k"], "within": "500ms" }"#
        try Harness.write(Self.job(operators: [dedupe]), to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: state/\(Self.chk(id)) has filter \"cheap\", which job.json no longer has; "
            + "it holds no state, so it is dropped"), "\(r.stderr)")
        #expect(r.stderr.contains("resuming from checkpoint \(id) "), "\(r.stderr)")
        CheckpointDirs.expectNoStackTrace(r.stderr)
    }

    /// A new stateful operator and a new sink are accepted and start empty: the new sink sees exactly
    /// the records after the restored checkpoint's source position, while the old sink's output is
    /// still that of an uninterrupted run.
    @Test func newOperatorAndSinkStartEmpty() throws {
        let a = try prepare("compat-new-a", job: Self.job(rate: 3000))
        let ra = try Harness.run(["-q", "job.json"], cwd: a)
        #expect(ra.status == 0, "\(ra.stderr)")
        let expected = RecoveryGoldenTests.streams(a.appendingPathComponent("out"))
        #expect(!expected.isEmpty)

        let b = try prepare("compat-new-b", job: Self.job(rate: 3000))
        let (killed, _) = try CheckpointDirs.runAndKill(b) { !CheckpointDirs.complete($0).isEmpty }
        let restoredID = try #require(CheckpointDirs.complete(b).last)
        let recent = #"{ "id": "recent", "type": "dedupe", "inputs": ["bids"], "keyBy": ["id"], "within": "1s" }"#
        let tail = #"{ "id": "tail", "type": "file", "inputs": ["recent"], "path": "tail", "format": "csv", "fields": ["id"] }"#
        try Harness.write(Self.job(operators: [Self.filter, Self.dedupe, recent], sinks: [Self.sink, tail], rate: 3000),
                          to: b.appendingPathComponent("job.json"))
        let rb = try Harness.run(["job.json"], cwd: b)
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(rb.stderr.contains("resuming from checkpoint \(restoredID) "), "\(rb.stderr)")
        CheckpointDirs.expectNoStackTrace(rb.stderr)
        #expect(RecoveryGoldenTests.streams(b.appendingPathComponent("out")) == expected)

        let seen = RecoveryGoldenTests.streams(b.appendingPathComponent("tail")).values.joined()
            .split(separator: "\n").map { Int($0) ?? -1 }
        let first = seen.first ?? Self.records
        #expect(seen == Array(first..<Self.records), "the new sink must get exactly the records after the checkpoint, once each, in order")
        print("newOperatorAndSinkStartEmpty: killed \(killed), resumed from checkpoint \(restoredID), new sink got ids \(first)..<\(Self.records)")
    }
}
