@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@Suite struct DedupeOperatorTests {
    let schema = Schema([Field("k", .int), Field("ts", .timestamp), Field("v", .string)])

    func row(_ k: Int64, _ ts: Int64, _ v: String = "") -> [Value] { [.int(k), .timestamp(ts), .string(v)] }

    func machine(within: Int64) -> DedupeStateMachine<IntStateKey> {
        DedupeStateMachine(keyFields: [0], keyTypes: [.int], timeField: 1, withinMs: within, maxParallelism: 128)
    }

    func feed(_ m: inout DedupeStateMachine<IntStateKey>, _ rows: [[Value]]) throws -> (rows: [[Value]], dropped: Int) {
        let (out, dropped) = try m.process(RecordBatch(schema: schema, rows: rows))
        return (out?.rows(schema: schema) ?? [], dropped)
    }

    @Test func dropsWithinTheHorizonAndKeepsAfterIt() throws {
        var m = machine(within: 10)
        let r = try feed(&m, [row(1, 0, "a"), row(2, 3, "b"), row(1, 5, "dup"), row(1, 9, "dup"), row(1, 10, "c"),
                              row(1, 15, "dup"), row(1, -4, "dup, earlier"), row(2, 13, "d"), row(1, 20, "e")])
        #expect(r.rows == [row(1, 0, "a"), row(2, 3, "b"), row(1, 10, "c"), row(2, 13, "d"), row(1, 20, "e")])
        #expect(r.dropped == 4)
    }

    @Test func stateIsCleanedOnceTheWatermarkPassesTheHorizon() throws {
        var m = machine(within: 10)
        _ = try feed(&m, [row(1, 0), row(2, 5)])
        m.advance(to: 10)  // not past 0 + 10
        #expect(m.store.count == 2)
        m.advance(to: 11)
        #expect(m.store.count == 1)
        m.advance(to: 16)
        #expect(m.store.isEmpty)
        // A record after cleanup is new again.
        #expect(try feed(&m, [row(1, 17)]).rows == [row(1, 17)])
    }

    @Test func multiFieldStringKeysAndOperatorCounters() async throws {
        let schema = Schema([Field("a", .string), Field("b", .int), Field("ts", .timestamp)])
        let source = SourceSpec(id: "in", kind: .file, path: "in.jsonl", schema: schema, eventTime: EventTimeSpec(field: "ts"))
        let op = OperatorSpec(id: "d", kind: .dedupe, inputs: ["in"], keyBy: ["a", "b"], withinMs: 100)
        let plan = try JobValidator.validate(JobSpec(name: "t", sources: [source], operators: [op],
                                                     sinks: [SinkSpec(id: "out", kind: .stdout, inputs: ["d"])]))
        let node = plan.node("d")!
        guard case .dedupe(let dp) = node.kind else { Issue.record("not a dedupe"); return }
        let dedupe = try DedupeOperators.make(node: node, plan: dp)
        #expect(dedupe is BytesKeyDedupeOperator)
        let metrics = NodeMetrics(id: "d", kind: "dedupe")
        let (context, main, _) = OperatorContext.collecting(metrics: metrics)
        let rows: [[Value]] = [
            [.string("x"), .int(1), .timestamp(0)], [.string("x"), .int(2), .timestamp(1)], [.null, .int(1), .timestamp(2)],
            [.string("x"), .int(1), .timestamp(50)], [.null, .int(1), .timestamp(3)], [.string("x"), .null, .timestamp(4)],
        ]
        try await dedupe.process(RecordBatch(schema: schema, rows: rows), context: context)
        try await dedupe.processWatermark(500, context: context)
        try await dedupe.process(RecordBatch(schema: schema, rows: [rows[0]]), context: context)
        #expect(main.rows(schema: schema) == [rows[0], rows[1], rows[2], rows[5], rows[0]])
        #expect(metrics.duplicates.load == 2)
        #expect(main.watermarks == [500])
    }
}
