import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Synchronization
import Testing

@testable import StreamrunConnectors

/// A file sink's writes and commits that fail (`fail-writes`, `fail-commits` faults) are retried in
/// place, fail the call after `maxRetries`, or open the sink's circuit breaker and go to its fallback
/// output — through the real ``ConnectorFactory``, ``GuardedSinkWriter`` and ``FileSink`` over files
/// in a temporary directory.
///
/// Injected faults are counted per process by job name and fault index: every test has its own job.
@Suite struct GuardedSinkWriterTests {
    typealias Contract = SinkContractTests

    /// One job over a fresh directory: `in` (never read) → file sink `out` (CSV, `<dir>/out`), with
    /// `outExtra` members on `out`, `others` more sinks (`$DIR` is the directory) and `faults`.
    struct Job {
        let dir: URL
        let plan: JobPlan
        let factory: ConnectorFactory

        init(_ test: String, outExtra: String, others: String = "", faults: String = "") throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("guarded-\(test)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let name = "guarded-\(test)-\(UInt32.random(in: 0...UInt32.max))"
            let text = """
                { "name": "\(name)",
                  "sources": [{ "id": "in", "type": "file", "path": "\(dir.path)/in", "schema": { "k": "string", "v": "int" } }],
                  "sinks": [{ "id": "out", "type": "file", "format": "csv", "path": "\(dir.path)/out", "inputs": ["in"]\(outExtra) }\(others.replacingOccurrences(of: "$DIR", with: dir.path))],
                  "faults": [\(faults)] }
                """
            plan = try JobLoader.parse(data: Array(text.utf8), file: "job.json")
            factory = ConnectorFactory(plan: plan)
            for sink in factory.sinks { try Contract.prepare(sink) }
        }

        var out: URL { dir.appendingPathComponent("out") }
        func sink(_ id: String = "out") throws -> any TwoPhaseCommitSink { try #require(factory.sinks.first { $0.id.name == id }) }
        /// The guarded writer of subtask 0, as the job runner gets it.
        func writer(_ id: String = "out") throws -> any StreamOperator { try factory.makeOperator(try #require(plan.node(NodeID(id))), subtask: 0) }
        func status(_ id: String = "out") throws -> SinkHealth.Status { try #require(factory.health.statuses.first { $0.id.name == id }) }
        func visibleRows(_ under: URL) throws -> [String] { try FileSinkUnderTest(partitioned: false).visibleRows(under) }
    }

    static func batch(_ rows: [(String, Int64)]) -> RecordBatch {
        RecordBatch(schema: Contract.schema, rows: rows.map { [.string($0.0), .int($0.1)] })
    }

    /// Snapshots `writer` at checkpoint `id` and commits that through the sink health (with retries).
    static func checkpoint(_ job: Job, _ writer: any StreamOperator, _ id: CheckpointID, context: OperatorContext) async throws {
        let state = try await writer.snapshotState(checkpoint: id, context: context) ?? SnapshotPayload()
        try await job.factory.health.commit(try job.sink(), [PreparedCommit(subtask: 0, state: state)], checkpoint: id)
    }

    /// What the sink health reports, in order.
    final class Happenings: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ h: SinkHealth.Happening) {
            let text: String
            switch h {
            case .retrying(let sink, _, let what, let retry, let limit, _, _): text = "\(sink) retrying \(what) \(retry)/\(limit.map(String.init) ?? "-")"
            case .opened(let sink, let n, _, let fallback, let openFor): text = "\(sink) opened after \(n) to \(fallback ?? "-") for \(openFor)"
            case .reopened(let sink, _, let openFor): text = "\(sink) reopened for \(openFor)"
            case .halfOpened(let sink): text = "\(sink) half-open"
            case .closed(let sink): text = "\(sink) closed"
            }
            list.withLock { $0.append(text) }
        }
        var all: [String] { list.withLock { $0 } }
    }

    static let quickRetry = #""initialInterval": "1ms", "maxInterval": "2ms""#

    @Test func aWriteThatFailsTwiceIsRetriedAndWrittenOnce() async throws {
        let job = try Job("a", outExtra: #", "retry": {\#(Self.quickRetry)}"#,
                          faults: #"{"node": "out", "type": "fail-writes", "times": 2}"#)
        let happenings = Happenings()
        job.factory.health.observe { happenings.add($0) }
        let writer = try job.writer()
        #expect(writer is GuardedSinkWriter)
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await writer.process(Self.batch([("a", 1), ("b", 2)]), context: context)
        let s = try job.status()
        #expect(s.retries == 2 && s.failures == 2 && s.fallbackRecords == 0 && s.circuit == nil, "\(s)")
        #expect(s.lastError?.contains("injected fault (fail-writes) on a write") == true, "\(s)")
        #expect(happenings.all == ["out retrying write 1/3", "out retrying write 2/3"])
        // The fault is spent: the next batch and the flush at the checkpoint go straight through.
        try await writer.process(Self.batch([("c", 3)]), context: context)
        try await Self.checkpoint(job, writer, 1, context: context)
        #expect(try job.visibleRows(job.out) == ["a,1", "b,2", "c,3"])
        #expect(try job.status().failures == 2)
    }

    @Test func withoutABreakerTheCallFailsAfterMaxRetries() async throws {
        let job = try Job("b", outExtra: #", "retry": {"maxRetries": 1, \#(Self.quickRetry)}"#,
                          faults: #"{"node": "out", "type": "fail-writes", "times": 3}"#)
        let writer = try job.writer()
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        let error = await #expect(throws: StreamrunError.self) {
            try await writer.process(Self.batch([("a", 1)]), context: context)
        }
        #expect(error?.message.contains("(after 1 retry)") == true, "\(String(describing: error))")
        #expect(error?.message.hasPrefix(#"sink "out": injected fault (fail-writes)"#) == true, "\(String(describing: error))")
        #expect(error?.retry == .transient && error?.location == "faults[0]")
        let s = try job.status()
        #expect(s.retries == 1 && s.failures == 2, "\(s)")
        // The third firing is left: the next call fails once, then goes through on its retry.
        try await writer.process(Self.batch([("b", 2)]), context: context)
        try await Self.checkpoint(job, writer, 1, context: context)
        #expect(try job.visibleRows(job.out) == ["b,2"])
    }

    @Test func noRetriesMeansTheFirstFailureIsThrownAsItIs() async throws {
        let job = try Job("b0", outExtra: #", "retry": {"maxRetries": 0}"#,
                          faults: #"{"node": "out", "type": "fail-writes", "class": "internal"}"#)
        let writer = try job.writer()
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        let error = await #expect(throws: StreamrunError.self) {
            try await writer.process(Self.batch([("a", 1)]), context: context)
        }
        #expect(error?.message == "injected fault (fail-writes) on a write" && error?.retry == .internal, "\(String(describing: error))")
        #expect(try job.status().retries == 0)
    }

    @Test func anOpenBreakerSendsBatchesToTheFallbackAndAProbeClosesIt() async throws {
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("guarded-outage-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try Data().write(to: flag)
        defer { try? FileManager.default.removeItem(at: flag) }
        let job = try Job("c", outExtra: #", "retry": {\#(Self.quickRetry)}, "circuitBreaker": {"failureThreshold": 2, "openFor": "50ms"}, "fallback": "backup""#,
                          others: #", { "id": "backup", "type": "file", "format": "csv", "path": "$DIR/backup" }"#,
                          faults: #"{"node": "out", "type": "fail-writes", "while": "\#(flag.path)"}"#)
        let happenings = Happenings()
        job.factory.health.observe { happenings.add($0) }
        let writer = try job.writer()
        let (context, main, fallback) = OperatorContext.collectingWithFallback(nodeID: "out")
        #expect(try job.status().circuit == .closed)

        try await writer.process(Self.batch([("a", 1), ("b", 2)]), context: context)
        var s = try job.status()
        #expect(s.circuit == .open && s.consecutiveFailures == 2 && s.failures == 2 && s.fallbackRecords == 2 && s.fallback == "backup", "\(s)")
        #expect(fallback.rows(schema: Contract.schema) == [[.string("a"), .int(1)], [.string("b"), .int(2)]])
        #expect(main.batches.isEmpty)
        #expect(happenings.all == ["out retrying write 1/-", "out opened after 2 to backup for 50"])
        // While it is open, batches go to the fallback without calling the primary.
        try await writer.process(Self.batch([("c", 3)]), context: context)
        s = try job.status()
        // (Had openFor passed already, that batch was a probe that failed and opened it again.)
        #expect(s.circuit == .open && s.fallbackRecords == 3, "\(s)")

        // The outage ends; after openFor the next batch is a probe, which closes the breaker.
        try FileManager.default.removeItem(at: flag)
        try await Task.sleep(for: .milliseconds(80))
        try await writer.process(Self.batch([("d", 4)]), context: context)
        s = try job.status()
        #expect(s.circuit == .closed && s.consecutiveFailures == 0 && s.fallbackRecords == 3 && s.failures >= 2, "\(s)")
        #expect(happenings.all.suffix(2) == ["out half-open", "out closed"])
        #expect(fallback.batches.count == 2)
        try await writer.process(Self.batch([("e", 5)]), context: context)
        try await Self.checkpoint(job, writer, 1, context: context)
        // The primary holds only what it was handed while the breaker let calls through.
        #expect(try job.visibleRows(job.out) == ["d,4", "e,5"])
    }

    @Test func anOpenBreakerWithoutAFallbackWaitsForTheProbe() async throws {
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("guarded-wait-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try Data().write(to: flag)
        defer { try? FileManager.default.removeItem(at: flag) }
        let job = try Job("wait", outExtra: #", "retry": {\#(Self.quickRetry)}, "circuitBreaker": {"failureThreshold": 2, "openFor": "10ms"}"#,
                          faults: #"{"node": "out", "type": "fail-writes", "while": "\#(flag.path)"}"#)
        let writer = try job.writer()
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        // The outage ends a little later, while the writer is waiting (backpressure, not failure).
        let path = flag.path
        let ending = Task.detached {
            try await Task.sleep(for: .milliseconds(100))
            try FileManager.default.removeItem(atPath: path)
        }
        try await writer.process(Self.batch([("a", 1)]), context: context)
        try await ending.value
        let s = try job.status()
        #expect(s.circuit == .closed && s.failures >= 2 && s.fallbackRecords == 0, "\(s)")
        try await Self.checkpoint(job, writer, 1, context: context)
        #expect(try job.visibleRows(job.out) == ["a,1"])
    }

    /// A writer whose calls end in cancellation (a job restarting while a call is under way).
    final class CancellableWriter: StreamOperator {
        var cancelled = true
        var rows = 0
        func process(_ batch: RecordBatch, context: OperatorContext) async throws {
            if cancelled { throw CancellationError() }
            rows += batch.count
        }
    }

    /// A probe cut short by cancellation tells nothing about the destination; it must not hold the
    /// half-open breaker's one probe for good (the breaker outlives the attempt, across restarts).
    @Test func aCancelledProbeDoesNotHoldTheBreakerHalfOpen() async throws {
        let job = try Job("cancel", outExtra: #", "circuitBreaker": {"failureThreshold": 1, "openFor": "10ms"}, "fallback": "backup""#,
                          others: #", { "id": "backup", "type": "file", "format": "csv", "path": "$DIR/backup" }"#)
        let health = job.factory.health
        health.failed("out", probe: false, error: StreamrunError(.writeFailed, "down", retry: .transient))
        #expect(health.state("out") == .open)
        try await Task.sleep(for: .milliseconds(30))
        let inner = CancellableWriter()
        let writer = GuardedSinkWriter(inner, sink: "out", health: health, faults: [])
        let (context, _, fallback) = OperatorContext.collectingWithFallback(nodeID: "out")
        await #expect(throws: CancellationError.self) { try await writer.process(Self.batch([("a", 1)]), context: context) }
        #expect(health.state("out") == .halfOpen)
        // The next call is a probe again, and its success closes the breaker.
        inner.cancelled = false
        try await writer.process(Self.batch([("b", 2)]), context: context)
        #expect(fallback.batches.isEmpty)
        #expect(inner.rows == 1)
        #expect(health.state("out") == .closed)
    }

    @Test func aCommitThatFailsTwiceIsRetried() async throws {
        let job = try Job("d", outExtra: #", "retry": {\#(Self.quickRetry)}"#,
                          faults: #"{"node": "out", "type": "fail-commits", "times": 2}"#)
        #expect(try job.sink() is FaultInjectingSink)
        let happenings = Happenings()
        job.factory.health.observe { happenings.add($0) }
        let writer = try job.writer()
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await writer.process(Self.batch([("a", 1)]), context: context)
        try await Self.checkpoint(job, writer, 1, context: context)
        #expect(try job.visibleRows(job.out) == ["a,1"])
        let s = try job.status()
        #expect(s.retries == 2 && s.failures == 2, "\(s)")
        #expect(happenings.all == ["out retrying commit of checkpoint 1 1/3", "out retrying commit of checkpoint 1 2/3"])
    }

    @Test func aCommitThatKeepsFailingThrowsAfterMaxRetries() async throws {
        let job = try Job("d-always", outExtra: #", "retry": {"maxRetries": 1, \#(Self.quickRetry)}"#,
                          faults: #"{"node": "out", "type": "fail-commits", "times": "always"}"#)
        let writer = try job.writer()
        let (context, _, _) = OperatorContext.collecting(nodeID: "out")
        try await writer.process(Self.batch([("a", 1)]), context: context)
        let state = try await writer.snapshotState(checkpoint: 1, context: context) ?? SnapshotPayload()
        let prepared = [PreparedCommit(subtask: 0, state: state)]
        let error = await #expect(throws: StreamrunError.self) {
            try await job.factory.health.commit(try job.sink(), prepared, checkpoint: 1)
        }
        #expect(error?.message == "injected fault (fail-commits) committing checkpoint 1", "\(String(describing: error))")
        #expect(try job.visibleRows(job.out).isEmpty)
        let s = try job.status()
        #expect(s.retries == 1 && s.failures == 2, "\(s)")
        // The sink itself (under the fault) can still commit: what was prepared is intact.
        let inner = try #require((try job.sink() as? FaultInjectingSink)?.inner)
        try inner.commit(prepared, checkpoint: 1)
        #expect(try job.visibleRows(job.out) == ["a,1"])
    }
}
