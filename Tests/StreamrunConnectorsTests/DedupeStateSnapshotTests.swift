@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

/// Checkpointing the dedupe operator. Every random test prints its seed;
/// `STREAMRUN_SEED=<seed> swift test --filter DedupeStateSnapshotTests` replays it.
@Suite struct DedupeStateSnapshotTests {
    static let schema = Schema([Field("k", .int), Field("ts", .timestamp), Field("v", .string)])

    struct Scenario {
        var steps: [StateScenario.Step]
        var within: Int64

        init(_ rng: inout SeededRandom) {
            within = Int64.random(in: 0...30, using: &rng)
            let rows: [[Value]] = (0..<Int.random(in: 1...300, using: &rng)).map { i in
                let k: Value = Int.random(in: 0..<8, using: &rng) == 0 ? .null : .int(Int64.random(in: -3...5, using: &rng))
                let ts: Value = Int.random(in: 0..<30, using: &rng) == 0 ? .null : .timestamp(Int64.random(in: 0...200, using: &rng))
                return [k, ts, .string("r\(i)")]
            }
            steps = StateScenario.steps(rows, &rng)
        }
    }

    struct Driver {
        var machine: DedupeStateMachine<IntStateKey>

        init(within: Int64) {
            machine = DedupeStateMachine(keyFields: [0], keyTypes: [.int], timeField: 1, withinMs: within, maxParallelism: 128)
        }

        mutating func apply(_ step: StateScenario.Step, part: RecordBatch? = nil) throws -> (rows: [[Value]], dropped: Int) {
            switch step {
            case .batch(let rows):
                let (out, dropped) = try machine.process(part ?? RecordBatch(schema: DedupeStateSnapshotTests.schema, rows: rows))
                return (out?.rows(schema: DedupeStateSnapshotTests.schema) ?? [], dropped)
            case .watermark(let w):
                machine.advance(to: w)
                return ([], 0)
            }
        }

        func snapshot() -> SnapshotPayload { DedupeStateCodec.encode(machine.capture()) }

        func restored(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]]) throws -> Driver {
            var d = self
            d.machine = try DedupeStateMachine(keyFields: [0], keyTypes: [.int], timeField: 1, withinMs: machine.withinMs,
                                               maxParallelism: 128, restoring: keyGroups, named: named)
            return d
        }
    }

    @Test func roundTrip() throws {
        let seed = testSeed("dedupe roundTrip")
        for i in 0..<150 {
            let s = seed &+ UInt64(i)
            var rng = SeededRandom(seed: s)
            let sc = Scenario(&rng)
            var a = Driver(within: sc.within)
            let cut = Int.random(in: 0..<sc.steps.count, using: &rng)
            for step in sc.steps[..<cut] { _ = try a.apply(step) }
            let payload = a.snapshot()
            #expect(a.snapshot() == payload, "seed \(s)")
            var b = try a.restored(keyGroups: payload.keyGroups, named: [payload.named])
            #expect(b.snapshot() == payload, "seed \(s)")
            #expect(b.machine.store.pendingDeadlines == b.machine.store.count, "one TTL deadline per restored key, seed \(s)")
            for (j, step) in sc.steps[cut...].enumerated() {
                let x = try a.apply(step), y = try b.apply(step)
                if x.rows != y.rows || x.dropped != y.dropped || a.machine.store.count != b.machine.store.count {
                    Issue.record("seed \(s): step \(cut + j) differs after restoring at step \(cut)")
                    break
                }
            }
            #expect(b.machine.store.isEmpty, "seed \(s)")
        }
    }

    @Test func rescaleTwoToOneAndOneToTwo() throws {
        let seed = testSeed("dedupe rescale")
        for i in 0..<100 {
            let s = seed &+ UInt64(i)
            var rng = SeededRandom(seed: s)
            let sc = Scenario(&rng)
            var one = Driver(within: sc.within)
            var two = [Driver(within: sc.within), Driver(within: sc.within)]
            let cut = Int.random(in: 0..<sc.steps.count, using: &rng)
            let cut2 = Int.random(in: cut..<sc.steps.count, using: &rng)
            var parallelism = 2
            var single = one
            for (j, step) in sc.steps.enumerated() {
                if j == cut {  // 2 → 1
                    let snaps = two.map { $0.snapshot() }
                    single = try one.restored(keyGroups: snaps[0].keyGroups.merging(snaps[1].keyGroups) { a, _ in a },
                                              named: snaps.map(\.named))
                    parallelism = 1
                }
                if j == cut2 {  // 1 → 2
                    let snap = single.snapshot()
                    two = try (0..<2).map { try single.restored(keyGroups: owned(snap.keyGroups, subtask: $0, parallelism: 2), named: [snap.named]) }
                    parallelism = 2
                }
                let want = try one.apply(step)
                var got: (rows: [[Value]], dropped: Int)
                if parallelism == 1 {
                    got = try single.apply(step)
                } else {
                    let parts = split(step, schema: Self.schema, keyFields: [0], parallelism: 2)
                    let p0 = try two[0].apply(step, part: parts[0]), p1 = try two[1].apply(step, part: parts[1])
                    got = (p0.rows + p1.rows, p0.dropped + p1.dropped)
                }
                if multiset(got.rows) != multiset(want.rows) || got.dropped != want.dropped {
                    Issue.record("seed \(s): step \(j) differs (2 → 1 at \(cut), 1 → 2 at \(cut2))")
                    break
                }
            }
        }
    }

    @Test func ttlDeadlinesContinueFromTheLastWrite() throws {
        var a = Driver(within: 10)
        _ = try a.apply(.batch([[.int(1), .timestamp(0), .string("a")], [.int(2), .timestamp(5), .string("b")]]))
        let p = a.snapshot()
        var b = try a.restored(keyGroups: p.keyGroups, named: [p.named])
        b.machine.advance(to: 10)
        #expect(b.machine.store.count == 2)
        b.machine.advance(to: 11)
        #expect(b.machine.store.count == 1)
        #expect(try b.apply(.batch([[.int(2), .timestamp(14), .string("dup")]])).rows.isEmpty)
        #expect(try b.apply(.batch([[.int(1), .timestamp(12), .string("new")]])).rows.count == 1)
    }

    @Test func corruptTruncatedAndFutureBytesAreErrors() throws {
        var a = Driver(within: 10)
        _ = try a.apply(.batch((0..<20).map { [.int(Int64($0)), .timestamp(Int64($0) * 3), .string("")] }))
        a.machine.advance(to: 7)
        let p = a.snapshot()
        #expect(p.keyGroups.count > 1)
        for (g, bytes) in p.keyGroups {
            for n in 0..<bytes.count {
                expectError(.checkpointCorrupt) { _ = try a.restored(keyGroups: [g: Array(bytes[..<n])], named: [p.named]) }
            }
            expectError(.checkpointUnsupportedVersion) { _ = try a.restored(keyGroups: [g: [200] + bytes.dropFirst()], named: [p.named]) }
        }
        expectError(.checkpointCorrupt) { _ = try a.restored(keyGroups: [:], named: [p.named, [:]]) }
        expectError(.checkpointUnsupportedVersion) { _ = try a.restored(keyGroups: [:], named: [["watermark": [0, 1]]]) }
    }

    @Test func operatorFrontEndSnapshotsAndRestores() async throws {
        let source = SourceSpec(id: "in", kind: .file, path: "in.jsonl", schema: Self.schema, eventTime: EventTimeSpec(field: "ts"))
        let op = OperatorSpec(id: "d", kind: .dedupe, inputs: ["in"], keyBy: ["k"], withinMs: 10)
        let plan = try JobValidator.validate(JobSpec(name: "t", sources: [source], operators: [op],
                                                     sinks: [SinkSpec(id: "out", kind: .stdout, inputs: ["d"])]))
        let node = plan.node("d")!
        guard case .dedupe(let dp) = node.kind else { Issue.record("not a dedupe"); return }
        let a = try DedupeOperators.make(node: node, plan: dp), b = try DedupeOperators.make(node: node, plan: dp)
        #expect(a is IntKeyDedupeOperator)
        let (ca, ma, _) = OperatorContext.collecting()
        let (cb, mb, _) = OperatorContext.collecting()
        try await a.process(RecordBatch(schema: Self.schema, rows: [[.int(1), .timestamp(0), .string("a")]]), context: ca)
        let payload = try #require(try await a.snapshotState(checkpoint: 7, context: ca))
        try #require(b as? RestorableOperator).restoreState(keyGroups: payload.keyGroups, named: [payload.named], maxParallelism: 128)
        ma.clear()
        let rest: [[Value]] = [[.int(1), .timestamp(5), .string("dup")], [.int(1), .timestamp(10), .string("again")]]
        try await a.process(RecordBatch(schema: Self.schema, rows: rest), context: ca)
        try await b.process(RecordBatch(schema: Self.schema, rows: rest), context: cb)
        #expect(mb.rows(schema: Self.schema) == [rest[1]])
        #expect(ma.rows(schema: Self.schema) == mb.rows(schema: Self.schema))
    }
}
