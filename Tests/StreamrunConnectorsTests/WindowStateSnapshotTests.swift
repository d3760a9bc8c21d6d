@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

/// Checkpointing the window operator: snapshot at a random point, restore (at the same or another
/// parallelism), continue, and the output must be what the uninterrupted operator emits. Every test
/// prints its seed; `STREAMRUN_SEED=<seed> swift test --filter WindowStateSnapshotTests` replays it.
@Suite struct WindowStateSnapshotTests {
    typealias Ref = WindowReference

    // MARK: Round trip

    /// Operator A runs to a random step and is snapshotted; B is restored from the bytes; both run the
    /// rest: every step must emit the same results and late rows, and the state must re-encode to
    /// the same bytes at the cut and at the end.
    func checkRoundTrip<Key: StateKey>(_: Key.Type, keyBy: [String], seed: UInt64, sessions: Bool = true) throws {
        var rng = SeededRandom(seed: seed)
        let sc = StateScenario(&rng, sessions: sessions)
        let node = try WindowTest.node(keyBy: keyBy, window: sc.spec, aggregates: Ref.aggregates, lateness: sc.lateness, ttl: sc.ttl)
        let what = "seed \(seed) \(sc.spec) lateness \(sc.lateness) ttl \(String(describing: sc.ttl))"
        var a = try WindowDriver<Key>(node)
        let cut = Int.random(in: 0..<sc.steps.count, using: &rng)
        for s in sc.steps[..<cut] { try a.apply(s) }
        let payload = a.snapshot()
        #expect(a.snapshot() == payload, "snapshotting twice must give the same bytes, \(what)")
        var b = try a.restored(keyGroups: payload.keyGroups, named: [payload.named])
        #expect(b.snapshot() == payload, "restored state must re-encode to the same bytes, \(what)")
        #expect(b.machine.openWindows == a.machine.openWindows, "\(what)")
        for (i, s) in sc.steps[cut...].enumerated() {
            let x = try a.apply(s), y = try b.apply(s)
            if x.results != y.results || x.late != y.late {
                Issue.record("step \(cut + i) differs after restoring at step \(cut), \(what):\n  uninterrupted \(x)\n  restored      \(y)")
                return
            }
        }
        #expect(b.snapshot() == a.snapshot(), "\(what)")
        #expect(b.machine.store.isEmpty, "\(what)")
    }

    @Test func roundTripIntKey() throws {
        let seed = testSeed("roundTripIntKey")
        for i in 0..<120 { try checkRoundTrip(IntStateKey.self, keyBy: ["k"], seed: seed &+ UInt64(i)) }
    }

    @Test func roundTripMultiFieldKey() throws {
        let seed = testSeed("roundTripMultiFieldKey")
        for i in 0..<60 { try checkRoundTrip(BytesStateKey.self, keyBy: ["s", "k", "b"], seed: seed &+ UInt64(i)) }
    }

    @Test func roundTripGlobalWindow() throws {
        let seed = testSeed("roundTripGlobalWindow")
        for i in 0..<40 { try checkRoundTrip(BytesStateKey.self, keyBy: [], seed: seed &+ UInt64(i)) }
    }

    /// Several snapshots in a row, each restored into a fresh operator that continues from there.
    @Test func chainedRestoresMatchOneUninterruptedRun() throws {
        let seed = testSeed("chainedRestoresMatchOneUninterruptedRun")
        for i in 0..<30 {
            var rng = SeededRandom(seed: seed &+ UInt64(i))
            let sc = StateScenario(&rng)
            let node = try WindowTest.node(window: sc.spec, aggregates: Ref.aggregates, lateness: sc.lateness, ttl: sc.ttl)
            var reference = try WindowDriver<IntStateKey>(node)
            var chained = try WindowDriver<IntStateKey>(node)
            var all: [[Value]] = []
            for s in sc.steps {
                try reference.apply(s)
                all += try chained.apply(s).results
                if Int.random(in: 0..<3, using: &rng) == 0 {
                    let p = chained.snapshot()
                    chained = try chained.restored(keyGroups: p.keyGroups, named: [p.named])
                }
            }
            #expect(all == reference.emitted, "seed \(seed &+ UInt64(i))")
        }
    }

    // MARK: Rescaling

    /// Parallelism 2 up to a random step, then both snapshots restored into one subtask: outputs of
    /// every step must equal (sorted, before the cut; exactly, after it) a parallelism-1 run's.
    @Test func rescaleTwoToOne() throws {
        let seed = testSeed("rescaleTwoToOne")
        for i in 0..<60 {
            let s = seed &+ UInt64(i)
            var rng = SeededRandom(seed: s)
            let sc = StateScenario(&rng)
            let node = try WindowTest.node(window: sc.spec, aggregates: Ref.aggregates, lateness: sc.lateness, ttl: sc.ttl)
            var one = try WindowDriver<IntStateKey>(node)
            var two = [try WindowDriver<IntStateKey>(node), try WindowDriver<IntStateKey>(node)]
            let cut = Int.random(in: 0..<sc.steps.count, using: &rng)
            for step in sc.steps[..<cut] {
                let want = try one.apply(step)
                let parts = split(step, schema: WindowTest.schema, keyFields: [0], parallelism: 2)
                let got = [try two[0].apply(step, part: parts[0]), try two[1].apply(step, part: parts[1])]
                #expect(Ref.ordered(rows: got[0].results + got[1].results, keyCount: 1) == want.results, "seed \(s)")
                #expect(multiset(got[0].late + got[1].late) == multiset(want.late), "seed \(s)")
            }
            let snaps = two.map { $0.snapshot() }
            #expect(Set(snaps[0].keyGroups.keys).isDisjoint(with: snaps[1].keyGroups.keys))
            let groups = snaps[0].keyGroups.merging(snaps[1].keyGroups) { a, _ in a }
            var restored = try one.restored(keyGroups: groups, named: snaps.map(\.named))
            for (j, step) in sc.steps[cut...].enumerated() {
                let want = try one.apply(step), got = try restored.apply(step)
                if want.results != got.results || want.late != got.late {
                    Issue.record("seed \(s) \(sc.spec): step \(cut + j) differs after rescaling 2 → 1 at step \(cut)")
                    break
                }
            }
        }
    }

    /// Parallelism 1 up to a random step, then its snapshot split by key group into two subtasks.
    @Test func rescaleOneToTwo() throws {
        let seed = testSeed("rescaleOneToTwo")
        for i in 0..<60 {
            let s = seed &+ UInt64(i)
            var rng = SeededRandom(seed: s)
            let sc = StateScenario(&rng)
            let node = try WindowTest.node(keyBy: ["s", "k"], window: sc.spec, aggregates: Ref.aggregates,
                                           lateness: sc.lateness, ttl: sc.ttl)
            let keyFields = [4, 0]
            var one = try WindowDriver<BytesStateKey>(node)
            let cut = Int.random(in: 0..<sc.steps.count, using: &rng)
            for step in sc.steps[..<cut] { try one.apply(step) }
            let snap = one.snapshot()
            var two = try (0..<2).map { try one.restored(keyGroups: owned(snap.keyGroups, subtask: $0, parallelism: 2), named: [snap.named]) }
            #expect(two[0].machine.openWindows + two[1].machine.openWindows == one.machine.openWindows, "seed \(s)")
            for (j, step) in sc.steps[cut...].enumerated() {
                let want = try one.apply(step)
                let parts = split(step, schema: WindowTest.schema, keyFields: keyFields, parallelism: 2)
                let got = [try two[0].apply(step, part: parts[0]), try two[1].apply(step, part: parts[1])]
                if Ref.ordered(rows: got[0].results + got[1].results, keyCount: 2) != want.results
                    || multiset(got[0].late + got[1].late) != multiset(want.late) {
                    Issue.record("seed \(s) \(sc.spec): step \(cut + j) differs after rescaling 1 → 2 at step \(cut)")
                    break
                }
            }
        }
    }

    /// Old subtasks at different watermarks: the restored one continues from the smallest, and the
    /// sequence counter from the largest.
    @Test func namedSectionsCombineByMinimumWatermarkAndMaximumSequence() throws {
        let node = try WindowTest.node(window: .tumbling(sizeMs: 10), aggregates: Ref.aggregates)
        var a = try WindowDriver<IntStateKey>(node), b = try WindowDriver<IntStateKey>(node)
        try a.feed([WindowTest.row(1, 5), WindowTest.row(1, 6), WindowTest.row(1, 7)])
        try b.feed([WindowTest.row(2, 5)])
        a.watermark(3)
        b.watermark(30)
        let r = try a.restored(keyGroups: [:], named: [a.snapshot().named, b.snapshot().named])
        #expect(r.machine.watermark == 3)
        #expect(r.machine.sequence == 3)
        let empty = try a.restored(keyGroups: [:], named: [])
        #expect(empty.machine.watermark == Watermark.min)
        #expect(empty.machine.sequence == 0)
    }

    // MARK: Format

    /// Restored `first`/`last` keep their tie-breakers: a later record at the same event time must
    /// rank after the ones before the restore.
    @Test func firstAndLastTiesSurviveARestore() throws {
        let node = try WindowTest.node(window: .tumbling(sizeMs: 10), aggregates: WindowTest.aggs([("f", .first, "x"), ("l", .last, "x")]))
        var a = try WindowDriver<IntStateKey>(node)
        try a.feed([WindowTest.row(1, 5, x: 1), WindowTest.row(1, 5, x: 2)])
        let p = a.snapshot()
        var b = try a.restored(keyGroups: p.keyGroups, named: [p.named])
        try b.feed([WindowTest.row(1, 5, x: 3)])
        let want: [[Value]] = [[.int(1), .timestamp(0), .timestamp(10), .int(1), .int(3)]]
        let got = b.watermark(.max)
        #expect(got == want)
    }

    @Test func stateOfEqualContentEncodesIdenticallyWhateverTheInsertionOrder() throws {
        let node = try WindowTest.node(keyBy: ["s"], window: .tumbling(sizeMs: 10),
                                       aggregates: WindowTest.aggs([("d", .countDistinct, "x"), ("df", .countDistinct, "f")]))
        func row(_ s: String, _ x: Int64, _ f: Double) -> [Value] { [.null, .timestamp(1), .int(x), .float(f), .string(s), .null] }
        let names = ["a", "b", "c", "d"]
        var rows: [[Value]] = []
        for i in 0..<200 { rows.append(row(names[i % 4], Int64(i * 7 % 50), Double(i % 13) / 4)) }
        var a = try WindowDriver<BytesStateKey>(node), b = try WindowDriver<BytesStateKey>(node)
        try a.feed(rows)
        try b.feed(Array(rows.reversed()))
        // Same windows and sets, different arrival order: only first/last would differ, and there are none.
        #expect(a.snapshot().keyGroups == b.snapshot().keyGroups)
    }

    /// A small state that exercises every accumulator kind, for the corruption tests.
    func sampleState() throws -> (node: PlanNode, driver: WindowDriver<IntStateKey>, payload: SnapshotPayload) {
        let node = try WindowTest.node(window: .sliding(sizeMs: 20, slideMs: 10), aggregates: Ref.aggregates, lateness: 5)
        var d = try WindowDriver<IntStateKey>(node)
        let rows: [[Value]] = [
            [.int(1), .timestamp(3), .int(4), .float(1.5), .string("a"), .bool(true)],
            [.int(1), .timestamp(12), .null, .float(-0.0), .string("ü"), .bool(false)],
            [.null, .timestamp(4), .int(-2), .null, .null, .null],
        ]
        try d.feed(rows)
        d.watermark(9)
        return (node, d, d.snapshot())
    }

    @Test func everyTruncationIsACorruptionError() throws {
        let (_, d, payload) = try sampleState()
        for (g, bytes) in payload.keyGroups {
            for n in 0..<bytes.count {
                expectError(.checkpointCorrupt) {
                    _ = try d.restored(keyGroups: [g: Array(bytes[..<n])], named: [payload.named])
                }
            }
            expectError(.checkpointCorrupt) { _ = try d.restored(keyGroups: [g: bytes + [0]], named: [payload.named]) }
        }
        for (name, bytes) in payload.named {
            for n in 0..<bytes.count {
                var named = payload.named
                named[name] = Array(bytes[..<n])
                expectError(.checkpointCorrupt) { _ = try d.restored(keyGroups: payload.keyGroups, named: [named]) }
            }
        }
    }

    /// Any single byte changed to any value: decoding either succeeds or throws, and never traps.
    @Test func changedBytesNeverTrap() throws {
        let (_, d, payload) = try sampleState()
        for (g, bytes) in payload.keyGroups {
            for i in bytes.indices {
                for v in [0, 1, 2, 7, 0x7F, 0x80, 0xFE, 0xFF] as [UInt8] where v != bytes[i] {
                    var copy = bytes
                    copy[i] = v
                    do {
                        _ = try d.restored(keyGroups: [g: copy], named: [payload.named])
                    } catch let error as StreamrunError {
                        #expect(error.code == .checkpointCorrupt || error.code == .checkpointUnsupportedVersion)
                    }
                }
            }
        }
    }

    @Test func unknownVersionsAndMissingSectionsAreClearErrors() throws {
        let (_, d, payload) = try sampleState()
        let (g, bytes) = payload.keyGroups.min { $0.key < $1.key }!
        #expect(bytes[0] == WindowStateCodec.version)
        let future = expectError(.checkpointUnsupportedVersion) {
            _ = try d.restored(keyGroups: [g: [9] + bytes.dropFirst()], named: [payload.named])
        }
        #expect(future?.message.contains("version 9") == true)
        var named = payload.named
        named["watermark"] = [2, 0]
        expectError(.checkpointUnsupportedVersion) { _ = try d.restored(keyGroups: [:], named: [named]) }
        named["watermark"] = nil
        let missing = expectError(.checkpointCorrupt) { _ = try d.restored(keyGroups: [:], named: [payload.named, named]) }
        #expect(missing?.message.contains("old subtask 1") == true)
        #expect(missing?.message.contains("watermark") == true)
        expectError(.checkpointCorrupt) { _ = try d.restored(keyGroups: [128: bytes], named: [payload.named]) }
    }

    /// State taken with other aggregates or another key type must not restore silently.
    @Test func stateOfADifferentlyConfiguredOperatorIsRejected() throws {
        let (_, _, payload) = try sampleState()
        let fewer = try WindowTest.node(window: .sliding(sizeMs: 20, slideMs: 10), aggregates: WindowTest.aggs([("n", .count, nil)]))
        let e1 = expectError(.checkpointCorrupt) {
            _ = try WindowDriver<IntStateKey>(fewer).restored(keyGroups: payload.keyGroups, named: [payload.named])
        }
        #expect(e1?.message.contains("aggregate") == true)
        let swapped = Ref.aggregates.map { a in AggregateSpec(name: a.name, function: a.function == .min ? .count : a.function, argument: a.argument) }
        let other = try WindowTest.node(window: .sliding(sizeMs: 20, slideMs: 10), aggregates: swapped)
        expectError(.checkpointCorrupt) {
            _ = try WindowDriver<IntStateKey>(other).restored(keyGroups: payload.keyGroups, named: [payload.named])
        }
        let stringKey = try WindowTest.node(keyBy: ["s"], window: .sliding(sizeMs: 20, slideMs: 10), aggregates: Ref.aggregates)
        let e2 = expectError(.checkpointCorrupt) {
            _ = try WindowDriver<BytesStateKey>(stringKey).restored(keyGroups: payload.keyGroups, named: [payload.named])
        }
        #expect(e2?.message.contains("bad key") == true)
    }

    // MARK: Operator

    /// Through the runtime's entry points: `snapshotState` on the specialized front end, then
    /// `restoreState` on a new one made by the factory.
    @Test func operatorSnapshotAndRestoreThroughTheFrontEnds() async throws {
        let seed = testSeed("operatorSnapshotAndRestoreThroughTheFrontEnds")
        var rng = SeededRandom(seed: seed)
        let sc = StateScenario(&rng)
        for keyBy in [["k"], ["s", "k"]] {
            let node = try WindowTest.node(keyBy: keyBy, window: sc.spec, aggregates: Ref.aggregates, lateness: sc.lateness, ttl: sc.ttl)
            let config = try WindowTest.config(node)
            let a = WindowOperators.make(config: config), b = WindowOperators.make(config: config)
            #expect((a is IntKeyWindowOperator) == (keyBy == ["k"]))
            let (ca, ma, _) = OperatorContext.collecting(late: true)
            let (cb, mb, _) = OperatorContext.collecting(late: true)
            let cut = sc.steps.count / 2
            func run(_ op: any StreamOperator, _ step: StateScenario.Step, _ c: OperatorContext) async throws {
                switch step {
                case .batch(let rows): try await op.process(RecordBatch(schema: WindowTest.schema, rows: rows), context: c)
                case .watermark(let w): try await op.processWatermark(w, context: c)
                }
            }
            for s in sc.steps[..<cut] { try await run(a, s, ca) }
            let payload = try #require(try await a.snapshotState(checkpoint: 1, context: ca))
            try #require(b as? RestorableOperator).restoreState(keyGroups: payload.keyGroups, named: [payload.named], maxParallelism: 128)
            ma.clear()
            for s in sc.steps[cut...] {
                try await run(a, s, ca)
                try await run(b, s, cb)
            }
            #expect(mb.rows(schema: node.outputSchema) == ma.rows(schema: node.outputSchema), "seed \(seed)")
            #expect(mb.watermarks == ma.watermarks.suffix(mb.watermarks.count))
        }
    }
}

/// Runs `body`, expecting a ``StreamrunError`` with `code`; returns it.
@discardableResult
func expectError(_ code: StreamrunError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () throws -> Void) -> StreamrunError? {
    do {
        try body()
        Issue.record("expected a \(code) error, got none", sourceLocation: sourceLocation)
    } catch let e as StreamrunError {
        #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
        return e
    } catch {
        Issue.record("expected a StreamrunError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
