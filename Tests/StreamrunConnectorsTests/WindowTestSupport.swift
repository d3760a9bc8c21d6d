@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

/// Builds window and dedupe plans through the real validator, and drives state machines.
enum WindowTest {
    /// k: key, ts: event time, then one column of each type (nullable in tests).
    static let schema = Schema([
        Field("k", .int), Field("ts", .timestamp), Field("x", .int), Field("f", .float), Field("s", .string), Field("b", .bool),
    ])

    /// The validated plan node of a window `w` over a source with `schema` and event time `ts`.
    static func node(schema: Schema = schema, keyBy: [String] = ["k"], window: WindowSpec,
                     aggregates: [AggregateSpec] = [AggregateSpec(name: "n", function: .count, argument: nil)],
                     lateness: Int64 = 0, ttl: Int64? = nil) throws -> PlanNode {
        let source = SourceSpec(id: "in", kind: .file, path: "in.jsonl", schema: schema,
                                eventTime: EventTimeSpec(field: "ts"), jsonPath: "sources[0]")
        let op = OperatorSpec(id: "w", kind: .window, inputs: ["in"], keyBy: keyBy, window: window, aggregates: aggregates,
                              allowedLatenessMs: lateness, stateTtlMs: ttl, jsonPath: "operators[0]")
        let sink = SinkSpec(id: "out", kind: .stdout, inputs: ["w"], jsonPath: "sinks[0]")
        let plan = try JobValidator.validate(JobSpec(name: "t", sources: [source], operators: [op], sinks: [sink]))
        return plan.node("w")!
    }

    static func config(_ node: PlanNode) throws -> WindowConfig {
        guard case .window(let w) = node.kind else { throw StreamrunError(.internalError, "not a window") }
        return try WindowConfig(node: node, plan: w)
    }

    /// Shorthand for aggregates: `("n", .count, nil)`.
    static func aggs(_ list: [(String, AggregateSpec.Function, String?)]) -> [AggregateSpec] {
        list.map { AggregateSpec(name: $0.0, function: $0.1, argument: $0.2) }
    }

    /// A row of ``schema`` with only key and time set.
    static func row(_ k: Int64?, _ ts: Int64, x: Int64? = nil) -> [Value] {
        [k.map { .int($0) } ?? .null, .timestamp(ts), x.map { .int($0) } ?? .null, .null, .null, .null]
    }
}

/// Drives a ``WindowStateMachine`` synchronously and records everything it emits, as rows.
struct WindowDriver<Key: StateKey> {
    var machine: WindowStateMachine<Key>
    let input: Schema
    let output: Schema
    /// Every emitted result row, in order.
    var emitted: [[Value]] = []
    /// Every late row, in order.
    var late: [[Value]] = []
    /// Emitted rows grouped by the call that produced them.
    var groups: [[[Value]]] = []

    init(_ node: PlanNode, maxParallelism: Int = 128) throws {
        machine = WindowStateMachine(config: try WindowTest.config(node), maxParallelism: maxParallelism)
        input = node.inputSchema!
        output = node.outputSchema
    }

    @discardableResult mutating func feed(_ rows: [[Value]]) throws -> [[Value]] {
        try feed(RecordBatch(schema: input, rows: rows))
    }

    @discardableResult mutating func feed(_ batch: RecordBatch) throws -> [[Value]] {
        let out = try machine.process(batch)
        let rows = out.results.flatMap { $0.rows(schema: output) }
        record(rows)
        late += out.late?.rows(schema: input) ?? []
        return rows
    }

    @discardableResult mutating func watermark(_ w: Watermark) -> [[Value]] {
        let rows = machine.advance(to: w).flatMap { $0.rows(schema: output) }
        record(rows)
        return rows
    }

    private mutating func record(_ rows: [[Value]]) {
        emitted += rows
        if !rows.isEmpty { groups.append(rows) }
    }
}

/// A seeded generator (SplitMix64): the same seed gives the same test.
typealias SeededRandom = TestRandom

/// The seed of a random test: `STREAMRUN_SEED` when set (to replay a failure), else a fresh one.
func testSeed(_ name: String) -> UInt64 {
    let seed: UInt64
    if let text = getenvString("STREAMRUN_SEED"), let s = UInt64(text) { seed = s } else { seed = UInt64.random(in: 1...UInt64.max / 2) }
    print("\(name): seed \(seed) (replay with STREAMRUN_SEED=\(seed))")
    return seed
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func getenvString(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
