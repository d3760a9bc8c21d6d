import Foundation
import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunJob

/// How `dlq replay` turns a job into its replay run, which generation still-bad records go to, and
/// which replays it decides to run: a new one for files no replay covered, an unfinished one again,
/// none for a queue already replayed.
@Suite struct DeadLetterReplayTests {
    typealias R = JobRestartTests

    @Test func generationsAreSiblingDirectories() {
        #expect(DeadLetterGenerations.generation(of: "out/dlq") == 0)
        #expect(DeadLetterGenerations.generation(of: "/abs/out/dlq/") == 0)
        #expect(DeadLetterGenerations.generation(of: "out/dlq.replay-1") == 1)
        #expect(DeadLetterGenerations.generation(of: "out/dlq.replay-12/dt=a/part-dlq-00000-000000.jsonl") == 12)
        #expect(DeadLetterGenerations.generation(of: "a.replay-3/dlq.replay-1") == 1, "the nearest counts")
        #expect(DeadLetterGenerations.generation(of: "out/.replay-2") == 0)
        #expect(DeadLetterGenerations.generation(of: "out/dlq.replay-") == 0)
        #expect(DeadLetterGenerations.generation(of: "out/dlq.replay-1a") == 0)
        #expect(DeadLetterGenerations.generation(of: "out/replay-0123456789abcdef") == 0)
        #expect(DeadLetterGenerations.path("out/dlq", generation: 1) == "out/dlq.replay-1")
        #expect(DeadLetterGenerations.path("out/dlq/", generation: 2) == "out/dlq.replay-2")
    }

    static let job = #"""
        { "name": "shop", "parallelism": 2,
          "checkpoints": { "dir": "state", "interval": "1s" },
          "sources": [
            { "id": "orders", "type": "file", "path": "in/orders", "format": "csv", "header": true, "follow": true,
              "schema": { "id": "int", "amount": "float" }, "onError": "dead-letter", "deadLetter": "bad-orders" },
            { "id": "bids", "type": "generator", "count": 100, "eventTime": { "field": "dateTime" } } ],
          "operators": [ { "id": "big", "type": "filter", "inputs": ["orders"], "where": "amount > 10" },
                         { "id": "cents", "type": "map", "inputs": ["big"], "set": { "cents": "int(amount * 100)" },
                           "onError": "dead-letter", "deadLetter": "bad-maps" } ],
          "sinks": [
            { "id": "out", "type": "file", "inputs": ["cents"], "path": "out/orders", "format": "csv" },
            { "id": "all-bids", "type": "file", "inputs": ["bids"], "path": "out/bids" },
            { "id": "show", "type": "stdout", "inputs": ["bids"] },
            { "id": "bad-orders", "type": "file", "path": "out/dlq" },
            { "id": "bad-maps", "type": "file", "path": "out/map-dlq" } ] }
        """#

    @Test func theReplayRunReadsItsInputsWithItsOwnNameCheckpointsAndPartFiles() throws {
        let plan = try JobLoader.parse(data: Array(Self.job.utf8), file: "job.json").resolvingPaths(relativeTo: "/jobs")
        let ns = ReplayNamespace(stateDirectory: "/jobs/state", id: "0123456789abcdef")
        let spec = plan.spec.replaying(ns, generation: 1, jobDirectory: "/jobs")
        #expect(spec.name == "shop-replay-0123456789abcdef")
        #expect(spec.checkpoints?.dir == "/jobs/state/replay-0123456789abcdef/checkpoints")
        #expect(spec.checkpoints?.intervalMs == 1000)
        let orders = try #require(spec.sources.first { $0.id == "orders" })
        #expect(orders.kind == .file && orders.format == .csv && !orders.csvHeader && !orders.follow)
        #expect(orders.path == "/jobs/state/replay-0123456789abcdef/input/orders.csv" && orders.pathBase == "/jobs")
        #expect(orders.onError == .deadLetter && orders.deadLetter == "bad-orders")
        let bids = try #require(spec.sources.first { $0.id == "bids" })
        #expect(bids.kind == .file && bids.format == .jsonl && bids.schema == SourceSpec.nexmarkBidSchema)
        #expect(bids.path == "/jobs/state/replay-0123456789abcdef/input/bids.jsonl")
        #expect(spec.sinks.map(\.path) == ["/jobs/out/orders", "/jobs/out/bids", nil, "/jobs/out/dlq.replay-1", "/jobs/out/map-dlq.replay-1"])
        let tag = "replay-0123456789abcdef"
        #expect(spec.sinks.map(\.partTag) == [tag, tag, nil, tag, tag])
        // It validates as usual, and plans the same nodes.
        let replayPlan = try JobValidator.validate(spec)
        #expect(replayPlan.nodes.map(\.id) == plan.nodes.map(\.id))
        #expect(replayPlan.nodes.map(\.parallelism) == plan.nodes.map(\.parallelism))
    }

    /// A handwritten queue of three envelopes of `bids` (one sent by an operator) and a job reading
    /// `bids` with the schema fixed; the job's own run read nothing.
    func setUp(_ name: String) throws -> (dir: URL, plan: JobPlan) {
        let dir = try R.tempDir(name)
        let job = #"""
            { "name": "fixed",
              "sources": [{ "id": "bids", "type": "file", "path": "in", "schema": { "auction": "int", "price": "float" },
                            "onError": "dead-letter", "deadLetter": "dlq" }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl" },
                        { "id": "dlq", "type": "file", "path": "dlq", "format": "jsonl" }] }
            """#
        try Self.write(dir, "dlq/part-dlq-00000-000000.jsonl", [Self.envelope(1, "1.5"), Self.envelope(2, "2.5", operator: "w")])
        try Self.write(dir, "dlq/part-dlq-00000-000001.jsonl", [Self.envelope(3, "3.5")])
        let plan = try JobLoader.parse(data: Array(job.utf8), file: "job.json").resolvingPaths(relativeTo: dir.path)
        return (dir, plan)
    }

    static func envelope(_ auction: Int, _ price: String, operator op: String? = nil) -> String {
        let raw = #"{\"auction\":\#(auction),\"price\":\#(price)}"#
        return #"{"source":"bids","file":"in/bids.jsonl","offset":0,"line":\#(auction),"operator":\#(op.map { "\"\($0)\"" } ?? "null"),"#
            + #""error":{"field":"price","rule":"type","message":"expected int"},"raw":"\#(raw)"}"#
    }

    static func write(_ dir: URL, _ path: String, _ lines: [String]) throws {
        let url = dir.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
    }

    func run(_ replay: DeadLetterReplay) async throws -> [ReplayReport] {
        var reports: [ReplayReport] = []
        for step in replay.steps {
            let run = try replay.start(step, logger: R.Notices().logger)
            defer { run.release() }
            if let report = run.report {
                reports.append(report)
                continue
            }
            reports.append(try run.finish(try await run.launcher!.run(statusLine: false)))
        }
        return reports
    }

    @Test func aQueueIsReplayedOnceAndAGrownQueueOnlyForItsNewFiles() async throws {
        let (dir, plan) = try setUp("replay-once")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("in"), withIntermediateDirectories: true)
        let dlq = dir.appendingPathComponent("dlq").path
        let first = try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dlq)
        #expect(first.steps.count == 1 && first.steps[0].records == 2 && !first.steps[0].isResume)
        let reports = try await run(first)
        guard case .finished(let record, let done, _) = reports.first else {
            Issue.record("expected a finished replay: \(reports)")
            return
        }
        #expect(record.replayed == 2 && record.fromOperators == 1 && record.generation == 1)
        #expect(done.stillBad == 0 && done.deadLetterPaths == [dir.path + "/dlq.replay-1"])
        let out = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        #expect(out == ["part-out-replay-\(record.id)-00000-000000.jsonl"])
        #expect(try String(contentsOf: dir.appendingPathComponent("out/" + out[0]), encoding: .utf8)
            == "{\"auction\":1,\"price\":1.5}\n{\"auction\":3,\"price\":3.5}\n")

        // The same queue again: nothing to run.
        let second = try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dlq)
        #expect(second.steps.isEmpty)
        guard case .alreadyReplayed(_, let covered)? = second.nothingToRun else {
            Issue.record("expected an already replayed queue: \(String(describing: second.nothingToRun))")
            return
        }
        #expect(covered.map(\.0.id) == [record.id])

        // The queue grows: only the new file is replayed, by a new replay.
        try Self.write(dir, "dlq/part-dlq-00000-000002.jsonl", [Self.envelope(4, "4.5")])
        let third = try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dlq)
        #expect(third.steps.count == 1 && third.steps[0].records == 1 && third.steps[0].id != record.id)
    }

    @Test func aPreparedReplayThatDidNotFinishIsRunAgain() throws {
        let (dir, plan) = try setUp("replay-resume")
        let dlq = dir.appendingPathComponent("dlq").path
        let replay = try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dlq)
        let run = try replay.start(replay.steps[0], logger: R.Notices().logger)
        // Held: a second `dlq replay` of the same queue is refused while this one runs.
        let again = try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dlq)
        #expect(again.steps.map(\.id) == [run.id] && again.steps[0].isResume)
        #expect(throws: StreamrunError.self) { try again.start(again.steps[0], logger: R.Notices().logger) }
        run.release()  // the process died without finishing
        let resumed = try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dlq)
        #expect(resumed.steps.map(\.id) == [run.id] && resumed.steps[0].isResume && resumed.steps[0].records == 2)
        let input = try String(contentsOfFile: dir.path + "/.streamrun/fixed/replay-\(run.id)/input/bids.jsonl", encoding: .utf8)
        #expect(input == "{\"auction\":1,\"price\":1.5}\n{\"auction\":3,\"price\":3.5}\n")
    }

    @Test func deadLettersOfASourceTheJobLacksAreRefused() throws {
        let (dir, plan) = try setUp("replay-unknown")
        try Self.write(dir, "dlq/part-dlq-00001-000000.jsonl", [Self.envelope(5, "5").replacingOccurrences(of: "\"bids\"", with: "\"bidz\"")])
        #expect {
            try DeadLetterReplay(plan: plan, jobDirectory: dir.path, dlq: dir.appendingPathComponent("dlq").path)
        } throws: { error in
            let e = error as? StreamrunError
            return e?.code == .usage && e?.message.contains(#"the job has no source "bidz" (its file sources: bids)"#) == true
        }
    }
}
