import StreamrunCore
import Testing

@testable import StreamrunPlan

@Suite struct ExpressionParserTests {
    @Test(arguments: [
        ("1 + 2 * 3", Value.int(7)),
        ("(1 + 2) * 3", .int(9)),
        ("10 - 3 - 2", .int(5)),  // left-associative
        ("100 / 10 / 5", .int(2)),
        ("2 * 7 % 4", .int(2)),  // (2*7)%4, not 2*(7%4)=6
        ("7 % 4 * 2", .int(6)),
        ("-2 * 3", .int(-6)),
        ("- 2 - 3", .int(-5)),
        ("2 - -3", .int(5)),
        ("--3", .int(3)),
        ("1 + 2 == 3", .bool(true)),
        ("!true && false", .bool(false)),
        ("!(true && false)", .bool(true)),
        ("true || false && false", .bool(true)),  // && binds tighter than ||
        ("(true || false) && false", .bool(false)),
        ("false && true || true", .bool(true)),
        ("1 < 2 && 3 > 2", .bool(true)),
        ("1 + 1 > 1 || 1 / 0 == 1", .bool(true)),
        ("not true or true", .bool(true)),
        ("NOT false AND true", .bool(true)),
        ("true and not false", .bool(true)),
        ("1 <> 2", .bool(true)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775807", .int(Int64.max)),
        ("0.908", .float(0.908)),
        ("1e3", .float(1000)),
        ("2.5E-1", .float(0.25)),
        (".5", .float(0.5)),
        ("'Google'", .string("Google")),
        ("\"x\"", .string("x")),
        (#"'it\'s'"#, .string("it's")),
        (#""a\"b\\c\n\t""#, .string("a\"b\\c\n\t")),
        (#"'\u00e9'"#, .string("é")),
        ("  1\t+\n2  ", .int(3)),
        ("TRUE", .bool(true)),
        ("null", .null),
    ])
    func evaluatesWithPrecedence(_ source: String, _ expected: Value) throws {
        #expect(try ExprFixture.value(source) == expected, "\(source)")
    }

    @Test func fieldsAndBackquotes() throws {
        let rows = [ExprFixture.row(["price": .int(5), "odd name": .int(7)])]
        #expect(try ExprFixture.eval("price + `odd name`", rows) == [.int(12)])
        #expect(try ExprFixture.eval("`price` * 2", rows) == [.int(10)])
        let schema = Schema([Field("a`b", .int), Field("and", .bool)])
        let r = [[Value.int(3), .bool(true)]]
        #expect(try ExprFixture.eval("`a``b` + 1", r, schema: schema) == [.int(4)])
        #expect(try ExprFixture.eval("`and` && true", r, schema: schema) == [.bool(true)])
    }

    @Test func keywordsAreCaseExactLowerOrUpper() throws {
        // `And` is not a keyword, so it is read as a field name.
        let err = ExprFixture.error("true And false")
        #expect(err?.message == "unexpected 'And' at offset 5")
        #expect(err?.offset == 5)
    }

    @Test(arguments: [
        ("price > ", "expected an expression at end of input", 8),
        ("", "expected an expression at end of input", 0),
        ("lower(name))", "unexpected ')' at offset 11", 11),
        ("(price + )", "unexpected ')' at offset 9", 9),
        ("name == 'abc", "unterminated string starting at offset 8", 8),
        ("\"abc\\", "unterminated string starting at offset 0", 0),
        ("price = 5", "unexpected '=' at offset 6: use == to compare", 6),
        ("ok & flag", "unexpected '&' at offset 3: use && for logical and", 3),
        ("ok | flag", "unexpected '|' at offset 3: use || for logical or", 3),
        ("1 < 2 < 3", "unexpected '<' at offset 6: comparisons do not chain; combine them with &&", 6),
        ("price @ 2", "unexpected character '@' at offset 6", 6),
        ("(price + 1", "expected ')' at end of input (to close '(' at offset 0)", 10),
        ("lower(name", "expected ')' at end of input (to close 'lower(' at offset 0)", 10),
        ("lower(name name)", "unexpected 'name' at offset 11: expected ',' or ')' to close 'lower(' at offset 0", 11),
        ("price price", "unexpected 'price' at offset 6", 6),
        ("9223372036854775808", "integer 9223372036854775808 at offset 0 is too large (the largest int is 9223372036854775807)", 0),
        ("1 + 99999999999999999999", "integer 99999999999999999999 at offset 4 is too large (the largest int is 9223372036854775807)", 4),
        ("12abc", "invalid number '12abc' at offset 0", 0),
        ("1.2.3", "invalid number '1.2.3' at offset 0", 0),
        (#"'a\qb'"#, #"unknown escape '\q' at offset 2 (known: \n \t \r \0 \\ \' \" \uXXXX)"#, 2),
        ("`odd name + 1", "unterminated backquoted name starting at offset 0", 0),
        ("and", "unexpected 'and' at offset 0", 0),
        ("price +* 2", "unexpected '*' at offset 7", 7),
        ("f(,)", "unexpected ',' at offset 2", 2),
        ("é == 1", "unexpected character 'é' at offset 0", 0),
        ("'é' == é", "unexpected character 'é' at offset 7", 7),
    ])
    func parseErrors(_ source: String, _ message: String, _ offset: Int) {
        let err = ExprFixture.error(source)
        #expect(err?.message == message, "\(source)")
        #expect(err?.offset == offset, "\(source)")
    }

    @Test func parseErrorsComeBeforeTypeErrors() {
        // The syntax is checked first: an unknown field does not hide a syntax error after it.
        #expect(ExprFixture.error("prise > ")?.message == "expected an expression at end of input")
    }
}
