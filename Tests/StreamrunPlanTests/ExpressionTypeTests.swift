import StreamrunCore
import Testing

@testable import StreamrunPlan

@Suite struct ExpressionTypeTests {
    @Test(arguments: [
        ("price", FieldType?.some(.int)),
        ("price + 1", .int),
        ("price + 1.5", .float),
        ("rate * 2", .float),
        ("price / qty", .int),
        ("ts + 1000", .timestamp),
        ("1000 + ts", .timestamp),
        ("ts - 1000", .timestamp),
        ("ts - ts2", .int),
        ("ts > ts2", .bool),
        ("ts >= 0", .bool),
        ("price < rate", .bool),
        ("name < city", .bool),
        ("ok == flag", .bool),
        ("null", nil),
        ("null + null", nil),
        ("coalesce(price, null)", .int),
        ("coalesce(null, price)", .int),
        ("coalesce(null, null)", nil),
        ("coalesce(price, 1.5)", .float),
        ("coalesce(ts, 0)", .timestamp),
        ("if(ok, price, rate)", .float),
        ("if(ok, null, 'x')", .string),
        ("if(ok, null, null)", nil),
        ("price + null", .int),
        ("rate + null", .float),
        ("ts + null", .timestamp),
        ("null == price", .bool),
        ("null && ok", .bool),
        ("-null", nil),
        ("!null", .bool),
        ("lower(null)", .string),
        ("abs(rate)", .float),
        ("abs(price)", .int),
        ("round(rate, 2)", .float),
        ("round(price)", .int),
        ("floor(price)", .int),
        ("ceil(rate)", .float),
        ("int(rate)", .int),
        ("int(ts)", .int),
        ("int(name)", .int),
        ("float(price)", .float),
        ("string(ts)", .string),
        ("date(ts)", .string),
        ("date(price)", .string),
        ("hour(ts)", .int),
        ("length(name)", .int),
        ("contains(name, 'x')", .bool),
        ("concat(name, price, ok, rate, ts)", .string),
        ("substr(name, 1, 2)", .string),
        ("trim(name)", .string),
        ("is_null(price)", .bool),
        ("LOWER(name)", .string),
    ])
    func types(_ source: String, _ type: FieldType?) throws {
        #expect(try ExprFixture.compile(source).type == type, "\(source)")
    }

    @Test(arguments: [
        ("prise > 5", #"unknown field "prise" (did you mean "price"?)"#, 0),
        ("1 + nmae", #"unknown field "nmae" (did you mean "name"?)"#, 4),
        ("zzzzzz", #"unknown field "zzzzzz""#, 0),
        ("lowr(name)", #"unknown function "lowr" (did you mean "lower"?)"#, 0),
        ("is_nul(name)", #"unknown function "is_nul" (did you mean "is_null"?)"#, 0),
        ("frobnicate(name)", #"unknown function "frobnicate""#, 0),
        ("now()", #"unknown function "now" — streamrun has no wall-clock functions; use a field's event time"#, 0),
        ("ts > current_timestamp()", #"unknown function "current_timestamp" — streamrun has no wall-clock functions; use a field's event time"#, 5),
        ("lower(name, name)", "lower() takes 1 argument, got 2", 0),
        ("lower()", "lower() takes 1 argument, got 0", 0),
        ("contains(name)", "contains() takes 2 arguments, got 1", 0),
        ("round(rate, 1, 2)", "round() takes 1 or 2 arguments, got 3", 0),
        ("substr(name)", "substr() takes 2 or 3 arguments, got 1", 0),
        ("concat()", "concat() takes at least 1 argument, got 0", 0),
        ("coalesce()", "coalesce() takes at least 1 argument, got 0", 0),
        ("if(ok, 1)", "if() takes 3 arguments, got 2", 0),
        ("name + 1", "'+' needs numbers, got string and int", 5),
        ("name + city", "'+' needs numbers, got string and string (use concat(a, b) to join strings)", 5),
        ("ok * 2", "'*' needs numbers, got bool and int", 3),
        ("price && true", "'&&' needs bool operands, got int", 6),
        ("price and 1", "'and' needs bool operands, got int and int", 6),
        ("ok || name", "'||' needs bool operands, got string", 3),
        ("!price", "'!' needs a bool operand, got int", 0),
        ("not name", "'not' needs a bool operand, got string", 0),
        ("-name", "unary '-' needs a number, got string", 0),
        ("-ts", "unary '-' needs a number, got timestamp", 0),
        ("name == 1", "'==' cannot compare string and int", 5),
        ("ts < rate", "'<' cannot compare timestamp and float", 3),
        ("ok < flag", "'<' cannot order bools; only == and != compare bools", 3),
        ("ts + ts2", "'+' needs numbers, got timestamp and timestamp (subtract two timestamps to get milliseconds, or add an int to a timestamp)", 3),
        ("price - ts", "'-' cannot subtract a timestamp from an int", 6),
        ("ts * 2", "'*' needs numbers, got timestamp and int (a timestamp only adds or subtracts an int of milliseconds)", 3),
        ("ts + 1.5", "'+' needs numbers, got timestamp and float (a timestamp only adds or subtracts an int of milliseconds)", 3),
        ("lower(price)", "lower() argument must be string, got int", 6),
        ("contains(name, 1)", "contains() argument 2 must be string, got int", 15),
        ("substr(name, 1.5)", "substr() argument 2 must be int, got float", 13),
        ("round(name)", "round() argument must be int or float, got string", 6),
        ("round(rate, 1.5)", "round() argument 2 must be int, got float", 12),
        ("date(rate)", "date() argument must be timestamp or int, got float", 5),
        ("hour(name)", "hour() argument must be timestamp or int, got string", 5),
        ("if(price, 1, 2)", "if() argument 1 must be bool, got int", 3),
        ("if(ok, 1, 'x')", "if() branches must have the same type, got int and string", 10),
        ("coalesce(price, name)", "coalesce() arguments must share a type, got int and string", 16),
        ("coalesce(rate, ts)", "coalesce() arguments must share a type, got float and timestamp", 15),
    ])
    func typeErrors(_ source: String, _ message: String, _ offset: Int) {
        let err = ExprFixture.error(source)
        #expect(err?.message == message, "\(source)")
        #expect(err?.offset == offset, "\(source)")
    }

    @Test func functionNamesAreListed() {
        let names = ExpressionCompiler.functions
        for f in ["lower", "upper", "length", "contains", "starts_with", "ends_with", "concat", "abs", "round", "floor",
            "ceil", "int", "float", "string", "date", "hour", "coalesce", "if", "substr", "trim", "is_null"]
        {
            #expect(names.contains(f), "\(f)")
        }
        #expect(!names.contains("now"))
    }

    @Test func constantsAreFolded() throws {
        #expect(try ExprFixture.compile("1 + 2 * 3").constantValue == .int(7))
        #expect(try ExprFixture.compile("upper('a') == 'A'").constantValue == .bool(true))
        #expect(try ExprFixture.compile("price + null").constantValue == .null)
        #expect(try ExprFixture.compile("false && ok").constantValue == .bool(false))
        #expect(try ExprFixture.compile("true || ok").constantValue == .bool(true))
        #expect(try ExprFixture.compile("price + 1").constantValue == nil)
        #expect(try ExprFixture.compile("is_null(null)").constantValue == .bool(true))
        #expect(try ExprFixture.compile("1 / 0").constantValue == .null)
    }

    @Test func fieldIndices() throws {
        #expect(try ExprFixture.compile("price + qty * price > rate").fieldIndices == [0, 2, 3])
        #expect(try ExprFixture.compile("1 + 2").fieldIndices == [])
    }

    /// `auction % 123 == 0` keeps 123 and 0 as scalars instead of arrays.
    @Test func literalsStayScalar() throws {
        let e = try ExprFixture.compile("auction % 123 == 0")
        guard case .compare(.eq, let lhs, let rhs) = e.root.op, case .arithmetic(.mod, let f, let k) = lhs.op else {
            Issue.record("unexpected tree")
            return
        }
        #expect(rhs.constantValue == .int(0))
        #expect(k.constantValue == .int(123))
        guard case .field(index: 1, name: "auction") = f.op else {
            Issue.record("expected the auction field")
            return
        }
        let batch = RecordBatch(schema: ExprFixture.schema, rows: (0..<300).map { ExprFixture.row(["auction": .int(Int64($0))]) })
        #expect(try e.selection(batch) == (0..<300).map { $0 % 123 == 0 })
    }
}
