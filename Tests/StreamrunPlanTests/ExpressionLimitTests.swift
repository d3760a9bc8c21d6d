import StreamrunCore
import Testing

@testable import StreamrunPlan

/// Issue 11, item 9: expressions nest at most 64 deep and have at most 1000 operators, so no recursive
/// pass over the tree (parser, type checker, folding, evaluator, deallocation) can run out of stack.
@Suite struct ExpressionLimitTests {
    static func nested(_ open: String, _ depth: Int, _ inner: String) -> String {
        String(repeating: open, count: depth) + inner + String(repeating: ")", count: depth)
    }

    @Test func nestingUpTo64IsAccepted() throws {
        _ = try ExprFixture.compile(Self.nested("(", 64, "price"))
        _ = try ExprFixture.compile(Self.nested("lower(", 64, "name"))
        _ = try ExprFixture.compile(String(repeating: "!", count: 64) + "ok")
    }

    @Test func nestingPast64IsRefused() {
        let message = "expression nests deeper than 64 levels (parentheses, function calls and unary operators) at offset 64"
        #expect(ExprFixture.error(Self.nested("(", 65, "price"))?.message == message)
        #expect(ExprFixture.error(Self.nested("(", 10_000, "price"))?.message == message)
        #expect(ExprFixture.error(String(repeating: "!", count: 10_000) + "ok")?.message == message)
        #expect(ExprFixture.error(Self.nested("abs(", 10_000, "price"))?.message
            == "expression nests deeper than 64 levels (parentheses, function calls and unary operators) at offset 256")
    }

    @Test func aThousandOperatorsAreAcceptedAndEvaluate() throws {
        let chain = "price" + String(repeating: " + price", count: 1000)
        let rows = [ExprFixture.row(["price": .int(2)]), ExprFixture.row([:])]
        #expect(try ExprFixture.eval(chain, rows).map { $0 } == [.int(2002), .null])
        // The deepest tree: 63 nested calls around a chain of 999 operators, evaluated over columns.
        let deep = Self.nested("abs(", 63, "price" + String(repeating: " - price", count: 999))
        #expect(try ExprFixture.eval(deep, rows) == [.int(1996), .null])
    }

    @Test func moreThanAThousandOperatorsAreRefused() {
        let message = "expression has more than 1000 operators (at offset 8006); split it over several operators, like a map then a filter"
        #expect(ExprFixture.error("price" + String(repeating: " + price", count: 1001))?.message == message)
        #expect(ExprFixture.error("price" + String(repeating: " + price", count: 19_999))?.message == message)
        #expect(ExprFixture.error(String(repeating: "ok && ", count: 2000) + "ok") != nil)
    }

    @Test func theValidatorReportsTheLimitAtTheJSONPath() {
        let text = JobText.job(operators: #"{ "id": "f", "type": "filter", "inputs": ["bids"], "where": "\#(Self.nested("(", 100, "true"))" }"#,
                               sinks: JobText.stdout("f"))
        #expect(problems(text) == [
            "operators[0].where: expression nests deeper than 64 levels (parentheses, function calls and unary operators) at offset 64",
        ])
    }
}
