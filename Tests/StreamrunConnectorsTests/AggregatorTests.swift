@testable import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@Suite struct AggregatorTests {
    func run(_ aggs: [(String, AggregateSpec.Function, String?)], _ rows: [[Value]]) throws -> [Value] {
        var d = try WindowDriver<IntStateKey>(try WindowTest.node(window: .tumbling(sizeMs: 100), aggregates: WindowTest.aggs(aggs)))
        try d.feed(rows)
        d.watermark(.max)
        #expect(d.emitted.count == 1)
        return Array(d.emitted.first?.dropFirst(3) ?? [])
    }

    func r(x: Int64? = nil, f: Double? = nil, s: String? = nil, b: Bool? = nil, ts: Int64 = 1) -> [Value] {
        [.int(1), .timestamp(ts), x.map { .int($0) } ?? .null, f.map { .float($0) } ?? .null, s.map { .string($0) } ?? .null,
         b.map { .bool($0) } ?? .null]
    }

    @Test func onlyNullsGiveNullExceptCounts() throws {
        let got = try run([("n", .count, nil), ("cx", .count, "x"), ("sx", .sum, "x"), ("sf", .sum, "f"), ("ax", .avg, "x"),
                           ("mn", .min, "s"), ("mx", .max, "b"), ("fi", .first, "f"), ("la", .last, "x"), ("cd", .countDistinct, "s")],
                          [r(), r()])
        #expect(got == [.int(2), .int(0), .null, .null, .null, .null, .null, .null, .null, .int(0)])
    }

    @Test func intSumWrapsLikeJava() throws {
        let got = try run([("sx", .sum, "x")], [r(x: .max), r(x: 2)])
        #expect(got == [.int(.min + 1)])
    }

    @Test func minMaxAcrossTypes() throws {
        let rows = [r(x: 3, f: -0.5, s: "b", b: true), r(x: -2, f: 2.5, s: "ab", b: nil), r(x: nil, f: nil, s: "ü", b: false)]
        let got = try run([("a", .min, "x"), ("b", .max, "x"), ("c", .min, "f"), ("d", .max, "f"), ("e", .min, "s"),
                           ("f", .max, "s"), ("g", .min, "b"), ("h", .max, "b"), ("i", .max, "ts")], rows)
        #expect(got == [.int(-2), .int(3), .float(-0.5), .float(2.5), .string("ab"), .string("ü"), .bool(false), .bool(true), .timestamp(1)])
    }

    @Test func firstAndLastFollowEventTimeNotArrival() throws {
        let rows = [r(x: 1, ts: 50), r(x: 2, ts: 10), r(x: nil, ts: 5), r(x: 3, ts: 90), r(x: 4, ts: 10), r(x: 5, ts: 90)]
        let got = try run([("fi", .first, "x"), ("la", .last, "x"), ("av", .avg, "x"), ("cd", .countDistinct, "ts")], rows)
        #expect(got == [.int(2), .int(5), .float(3), .int(4)])
    }

    /// Equal event times: the value decides (smaller for first, larger for last), not which record
    /// arrived first — parallel inputs deliver in a timing-dependent order.
    @Test func firstAndLastBreakEventTimeTiesByValueNotArrival() throws {
        let forward = [r(x: 5, ts: 10), r(x: 2, ts: 10), r(x: 9, ts: 90), r(x: 1, ts: 90)]
        let got = try run([("fi", .first, "x"), ("la", .last, "x")], forward)
        #expect(got == [.int(2), .int(9)])
        #expect(try run([("fi", .first, "x"), ("la", .last, "x")], forward.reversed()) == got)
    }

    @Test func countDistinctTreatsZeroesAlikeAndIgnoresNulls() throws {
        let got = try run([("cd", .countDistinct, "f"), ("cs", .countDistinct, "s")],
                          [r(f: 0.0, s: "a"), r(f: -0.0, s: nil), r(f: 1, s: "a"), r(f: nil, s: "")])
        #expect(got == [.int(2), .int(2)])
    }
}
