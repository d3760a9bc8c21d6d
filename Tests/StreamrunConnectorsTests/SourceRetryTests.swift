import Foundation
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors

/// A file source whose reads fail — its directory renamed away, an injected `fail-reads` — retries
/// at the same place, or switches to its fallback's mirror, and reads every record exactly once.
@Suite struct SourceRetryTests {
    /// Three files of 300 records each (ids 0..<900) in `<tmp>/<name>/in`.
    static func input(_ name: String) throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("srcretry-\(name)-\(UInt32.random(in: 0...UInt32.max))")
        let dir = base.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in 0..<3 {
            let text = (0..<300).map { #"{"id": \#(f * 300 + $0), "t": \#(f * 300 + $0)}"# + "\n" }.joined()
            try Data(text.utf8).write(to: dir.appendingPathComponent("f\(f).jsonl"))
        }
        return dir
    }

    static func spec(_ dir: URL, id: String = "in") -> SourceSpec {
        var s = SourceSpec(id: id, kind: .file, path: dir.path, format: .jsonl, schema: SourceStateTests.schema)
        s.retry = SourceFailoverStateMachineTests.retry(2)
        s.retry.initialIntervalMs = 10
        return s
    }

    static func reader(_ spec: SourceSpec, failover: SourceFailover) throws -> FileSourceReader {
        try FileSourceReader(spec: spec, subtask: 0, parallelism: 1, stop: StopFlag(), failover: failover) { RecordDecoders.make(for: spec) }
    }

    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [SourceEvent.Kind] = []
        func add(_ e: SourceEvent) { lock.withLock { list.append(e.kind) } }
        var kinds: [SourceEvent.Kind] { lock.withLock { list } }
    }

    @Test func aReadThatFailsIsRetriedAtTheSamePlace() async throws {
        let dir = try Self.input("retry")
        let away = dir.deletingLastPathComponent().appendingPathComponent("away")
        let spec = Self.spec(dir)
        let events = Events()
        let metrics = NodeMetrics(id: NodeID("in"), kind: "source:file")
        let r = try Self.reader(spec, failover: SourceFailover(spec: spec, fallback: nil, subtask: 0, side: .primary,
                                                               metrics: metrics, observer: { events.add($0) }))
        var ids = SourceStateTests.ids(try await r.next())
        #expect(ids == Array(0..<300))
        try FileManager.default.moveItem(at: dir, to: away)
        // The next split cannot be opened: the reader waits (pending) instead of failing.
        var out = try await r.next()
        while case .pending = out, events.kinds.isEmpty { out = try await r.next() }
        #expect(events.kinds.first == .retrying(retry: 1, maxRetries: 2, delayMs: 10))
        let stored = try SplitState.decode(try #require(r.snapshotState(checkpoint: 1)?.named[SplitState.section]))
        #expect(stored.map(\.finished) == [true, false, false] && stored.dropFirst().allSatisfy { $0.position == 0 }, "\(stored)")
        try FileManager.default.moveItem(at: away, to: dir)
        ids += SourceStateTests.ids(out)
        ids += try await SourceStateTests.drain(r)
        #expect(ids == Array(0..<900))
        #expect(metrics.readRetries.load >= 1)
    }

    @Test func anInjectedFaultFailsOnlyTheReadNeverSkipsOrRepeats() async throws {
        let dir = try Self.input("fault")
        let flag = dir.deletingLastPathComponent().appendingPathComponent("failing")
        var spec = Self.spec(dir)
        spec.retry.maxRetries = 1_000_000
        var fault = FaultSpec(node: "in", kind: .failReads, jsonPath: "faults[0]")
        fault.whilePath = flag.path
        fault.times = nil
        let window = FaultWindow(index: 0, spec: fault, job: "srcretry-\(UInt32.random(in: 0...UInt32.max))")
        let r = try Self.reader(spec, failover: SourceFailover(spec: spec, fallback: nil, subtask: 0, side: .primary,
                                                               faults: [.primary: [window]], metrics: nil, observer: nil))
        var ids = SourceStateTests.ids(try await r.next())
        try Data().write(to: flag)
        var pendings = 0
        while pendings < 5 {
            let out = try await r.next()
            if case .pending = out { pendings += 1 } else { Issue.record("read while the fault holds: \(String(describing: out))") }
        }
        try FileManager.default.removeItem(at: flag)
        ids += try await SourceStateTests.drain(r)
        #expect(ids == Array(0..<900))
    }

    @Test func pastItsRetriesTheReaderContinuesOnTheFallbackMirror() async throws {
        let dir = try Self.input("fallback")
        let mirror = dir.deletingLastPathComponent().appendingPathComponent("mirror")
        try FileManager.default.copyItem(at: dir, to: mirror)
        let spec = Self.spec(dir)
        var backup = Self.spec(mirror, id: "backup")
        backup.fallback = nil
        let events = Events()
        let r = try Self.reader(spec, failover: SourceFailover(spec: spec, fallback: backup, subtask: 0, side: .primary,
                                                               metrics: nil, observer: { events.add($0) }))
        var ids = SourceStateTests.ids(try await r.next())
        try FileManager.default.removeItem(at: dir)
        ids += try await SourceStateTests.drain(r)
        #expect(ids == Array(0..<900))
        #expect(events.kinds.contains(.switchedToFallback(fallback: "backup", path: mirror.path)), "\(events.kinds)")
        let payload = try #require(r.snapshotState(checkpoint: 2))
        #expect(try SourceSideState.decode(payload.named[SourceSideState.section]).side == .fallback)
        let paths = try SplitState.decode(try #require(payload.named[SplitState.section])).map(\.path)
        #expect(paths == (0..<3).map { mirror.appendingPathComponent("f\($0).jsonl").path })
    }
}
