import StreamrunCore
import Testing

@testable import StreamrunPlan

@Suite struct ExpressionFunctionTests {
    typealias F = ExprFixture

    static func names(_ values: [Value]) -> [[Value]] { values.map { F.row(["name": $0]) } }
    static func strings(_ xs: [String?]) -> [Value] { xs.map { $0.map(Value.string) ?? .null } }

    @Test func lowerUpper() throws {
        let rows = Self.names(Self.strings(["Hello World", "ÉCOLE", "straße", "", nil, "MiXeD 123"]))
        #expect(try F.eval("lower(name)", rows) == Self.strings(["hello world", "école", "straße", "", nil, "mixed 123"]))
        #expect(try F.eval("upper(name)", rows) == Self.strings(["HELLO WORLD", "ÉCOLE", "STRASSE", "", nil, "MIXED 123"]))
        // The all-ASCII fast path.
        let ascii = Self.names(Self.strings(["AbC", "xyz", nil, "@[`{"]))
        #expect(try F.eval("lower(name)", ascii) == Self.strings(["abc", "xyz", nil, "@[`{"]))
        #expect(try F.eval("upper(name)", ascii) == Self.strings(["ABC", "XYZ", nil, "@[`{"]))
        #expect(try F.value("lower('ABC')") == .string("abc"))
    }

    @Test func lengthCountsUnicodeScalars() throws {
        let rows = Self.names(Self.strings(["hello", "héllo", "👍", "", nil]))
        #expect(try F.eval("length(name)", rows) == [.int(5), .int(5), .int(1), .int(0), .null])
        #expect(try F.eval("length(name)", Self.names(Self.strings(["abc", "", nil]))) == [.int(3), .int(0), .null])
    }

    @Test func trimRemovesASCIIWhitespace() throws {
        let rows = Self.names(Self.strings([" \t x y \n", "x", "   ", nil, "\u{00A0}a"]))
        #expect(try F.eval("trim(name)", rows) == Self.strings(["x y", "x", "", nil, "\u{00A0}a"]))
    }

    @Test func containsStartsEnds() throws {
        let rows = [("hello", "ell"), ("hello", "he"), ("hello", "lo"), ("hello", ""), ("", "x"), ("héllo", "él"), ("aab", "ab")]
            .map { F.row(["name": .string($0.0), "city": .string($0.1)]) } + [F.row(["name": .string("x")])]
        #expect(try F.eval("contains(name, city)", rows) == [true, true, true, true, false, true, true].map(Value.bool) + [.null])
        #expect(try F.eval("starts_with(name, city)", rows) == [false, true, false, true, false, false, false].map(Value.bool) + [.null])
        #expect(try F.eval("ends_with(name, city)", rows) == [false, false, true, true, false, false, true].map(Value.bool) + [.null])
        #expect(try F.eval("contains(name, 'l')", rows) == [true, true, true, true, false, true, false, false].map(Value.bool))
        #expect(try F.eval("starts_with('hello world', name)", rows)
            == [true, true, true, true, true, false, false, false].map(Value.bool))
        #expect(try F.value("contains('abc', null)") == .null)
    }

    @Test func concatConvertsLikeString() throws {
        let rows = [F.row(["name": .string("a"), "price": .int(-3), "rate": .float(2.5), "ok": .bool(true), "ts": .timestamp(1_000)]),
            F.row(["name": .string("b"), "price": .int(1)])]
        #expect(try F.eval("concat(name, price, rate, ok, ts)", rows) == [.string("a-32.5true1000"), .null])
        #expect(try F.eval("concat(name, '-', price)", rows) == [.string("a--3"), .string("b-1")])
        #expect(try F.eval("concat(name)", rows) == [.string("a"), .string("b")])
        #expect(try F.eval("concat(name, null)", rows) == [.null, .null])
        #expect(try F.value("concat('x', 1, 2.0, false)") == .string("x12.0false"))
    }

    @Test func substrIsOneBasedOverScalars() throws {
        let cases: [(String, Value)] = [
            ("substr('hello', 2, 3)", .string("ell")),
            ("substr('hello', 1)", .string("hello")),
            ("substr('hello', 4)", .string("lo")),
            ("substr('hello', 10)", .string("")),
            ("substr('hello', 0, 2)", .string("h")),
            ("substr('hello', -1, 3)", .string("h")),
            ("substr('hello', 2, 0)", .string("")),
            ("substr('hello', 2, -1)", .string("")),
            ("substr('hello', 3, 9223372036854775807)", .string("llo")),
            ("substr('hello', -9223372036854775808)", .string("hello")),
            ("substr('héllo', 2, 3)", .string("éll")),
            ("substr('a👍b', 2, 1)", .string("👍")),
            ("substr('hello', null)", .null),
            ("substr('hello', 1, null)", .null),
        ]
        for (src, want) in cases { #expect(try F.value(src) == want, "\(src)") }
        let rows = [F.row(["name": .string("abcdef"), "price": .int(2), "qty": .int(3)]),
            F.row(["name": .string("xy"), "price": .int(1), "qty": .null])]
        #expect(try F.eval("substr(name, price, qty)", rows) == [.string("bcd"), .null])
        #expect(try F.eval("substr(name, price)", rows) == [.string("bcdef"), .string("xy")])
    }

    @Test func absRoundFloorCeil() throws {
        let cases: [(String, Value)] = [
            ("abs(-5)", .int(5)), ("abs(5)", .int(5)), ("abs(-1.5)", .float(1.5)),
            ("abs(-9223372036854775808)", .int(Int64.min)),
            ("round(2.5)", .float(3)), ("round(-2.5)", .float(-3)), ("round(2.4)", .float(2)), ("round(7)", .int(7)),
            ("round(1.25, 1)", .float(1.3)), ("round(-1.25, 1)", .float(-1.3)), ("round(3.14159, 2)", .float(3.14)),
            ("round(1234.5, -2)", .float(1200)), ("round(2.5, 0)", .float(3)), ("round(1.5, 400)", .float(1.5)),
            ("round(1234, -2)", .int(1200)), ("round(1250, -2)", .int(1300)), ("round(-1250, -2)", .int(-1300)),
            ("round(-1249, -2)", .int(-1200)), ("round(15, 2)", .int(15)), ("round(15, -30)", .int(0)),
            ("floor(-1.5)", .float(-2)), ("floor(1.5)", .float(1)), ("ceil(-1.5)", .float(-1)), ("ceil(1.2)", .float(2)),
            ("floor(3)", .int(3)), ("ceil(-3)", .int(-3)),
            ("abs(null)", .null), ("round(2.5, null)", .null),
        ]
        for (src, want) in cases { #expect(try F.value(src) == want, "\(src)") }
        let rows = [F.row(["rate": .float(-2.5), "price": .int(-7), "qty": .int(1)]), F.row(["rate": .float(0.05), "qty": .int(1)])]
        #expect(try F.eval("round(rate)", rows) == [.float(-3), .float(0)])
        #expect(try F.eval("round(rate, qty)", rows) == [.float(-2.5), .float(0.1)])
        #expect(try F.eval("abs(price)", rows) == [.int(7), .null])
        #expect(try F.eval("floor(rate)", rows) == [.float(-3), .float(0)])
    }

    @Test func conversions() throws {
        let cases: [(String, Value)] = [
            ("int('42')", .int(42)), ("int(' -7 ')", .int(-7)), ("int('+5')", .int(5)), ("int('abc')", .null),
            ("int('')", .null), ("int('1.9')", .int(1)), ("int('1e3')", .int(1000)), ("int('-')", .null),
            ("int('9223372036854775807')", .int(Int64.max)), ("int('-9223372036854775808')", .int(Int64.min)),
            ("int('99999999999999999999')", .null),
            ("int(-1.9)", .int(-1)), ("int(1.9)", .int(1)), ("int(1e30)", .null), ("int(true)", .int(1)), ("int(false)", .int(0)),
            ("int(7)", .int(7)),
            ("float('1.5')", .float(1.5)), ("float(' 2 ')", .float(2)), ("float('x')", .null), ("float(3)", .float(3)),
            ("float(true)", .float(1)),
            ("string(1.0)", .string("1.0")), ("string(-42)", .string("-42")), ("string(true)", .string("true")),
            ("string(-9223372036854775808)", .string("-9223372036854775808")), ("string(0.1)", .string("0.1")),
            ("string(1e300)", .string("1e+300")), ("string('s')", .string("s")), ("string(null)", .null),
        ]
        for (src, want) in cases { #expect(try F.value(src) == want, "\(src)") }
        let rows = [F.row(["ts": .timestamp(1_704_067_200_000), "rate": .float(.nan), "name": .string("12"), "ok": .bool(false)]),
            F.row(["rate": .float(.infinity), "name": .string("x")])]
        #expect(try F.eval("int(ts)", rows) == [.int(1_704_067_200_000), .null])
        #expect(try F.eval("string(ts)", rows) == [.string("1704067200000"), .null])
        #expect(try F.eval("float(ts)", rows) == [.float(1_704_067_200_000), .null])
        #expect(try F.eval("int(rate)", rows) == [.null, .null])
        #expect(try F.eval("string(rate)", rows) == [.string("NaN"), .string("Infinity")])
        #expect(try F.eval("int(name)", rows) == [.int(12), .null])
        #expect(try F.eval("float(name)", rows) == [.float(12), .null])
        #expect(try F.eval("string(ok)", rows) == [.string("false"), .null])
    }

    @Test func dateAndHourInUTC() throws {
        let cases: [(Int64, String, Int64)] = [
            (0, "1970-01-01", 0), (-1, "1969-12-31", 23), (1, "1970-01-01", 0),
            (3_599_999, "1970-01-01", 0), (3_600_000, "1970-01-01", 1), (86_399_999, "1970-01-01", 23),
            (86_400_000, "1970-01-02", 0), (-86_400_000, "1969-12-31", 0), (-86_400_001, "1969-12-30", 23),
            (-3_600_000, "1969-12-31", 23), (-3_600_001, "1969-12-31", 22),
            (1_704_067_200_000, "2024-01-01", 0), (1_704_067_199_999, "2023-12-31", 23),
            (951_782_400_000, "2000-02-29", 0), (1_709_251_199_999, "2024-02-29", 23),
            (-62_135_596_800_000, "0001-01-01", 0),
        ]
        let rows = cases.map { F.row(["ts": .timestamp($0.0), "price": .int($0.0)]) } + [F.row([:])]
        let dates = cases.map { Value.string($0.1) } + [.null]
        let hours = cases.map { Value.int($0.2) } + [.null]
        #expect(try F.eval("date(ts)", rows) == dates)
        #expect(try F.eval("date(price)", rows) == dates)
        #expect(try F.eval("hour(ts)", rows) == hours)
        #expect(try F.eval("hour(price)", rows) == hours)
        #expect(try F.value("date(86400000)") == .string("1970-01-02"))
    }

    @Test func coalesceIfIsNull() throws {
        let rows = [F.row(["price": .int(1), "qty": .int(2), "ok": .bool(true), "rate": .float(0.5)]),
            F.row(["qty": .int(2), "ok": .bool(false)]),
            F.row(["ok": .null])]
        #expect(try F.eval("coalesce(price, qty, 0)", rows) == [.int(1), .int(2), .int(0)])
        #expect(try F.eval("coalesce(price, qty)", rows) == [.int(1), .int(2), .null])
        #expect(try F.eval("coalesce(price, null)", rows) == [.int(1), .null, .null])
        #expect(try F.eval("coalesce(null, price)", rows) == [.int(1), .null, .null])
        #expect(try F.eval("coalesce(price, rate)", rows) == [.float(1), .null, .null])
        #expect(try F.eval("coalesce(rate, price, -1)", rows) == [.float(0.5), .float(-1), .float(-1)])
        #expect(try F.eval("coalesce(name, 'none')", rows) == [.string("none"), .string("none"), .string("none")])
        #expect(try F.eval("coalesce(ok, false)", rows) == [.bool(true), .bool(false), .bool(false)])
        #expect(try F.eval("coalesce(ts, 5)", rows) == [.timestamp(5), .timestamp(5), .timestamp(5)])
        #expect(try F.eval("coalesce(null, null)", rows) == [.null, .null, .null])
        #expect(try F.eval("if(ok, price, qty)", rows) == [.int(1), .int(2), .null])
        #expect(try F.eval("if(ok, 'yes', 'no')", rows) == [.string("yes"), .string("no"), .null])
        #expect(try F.eval("if(ok, price, 1.5)", rows) == [.float(1), .float(1.5), .null])
        #expect(try F.eval("if(ok, null, qty)", rows) == [.null, .int(2), .null])
        #expect(try F.eval("if(true, price, qty)", rows) == [.int(1), .null, .null])
        #expect(try F.eval("if(false, price, qty)", rows) == [.int(2), .int(2), .null])
        #expect(try F.eval("if(null, price, qty)", rows) == [.null, .null, .null])
        #expect(try F.eval("if(ok, ok, null)", rows) == [.bool(true), .null, .null])
        #expect(try F.eval("if(is_null(price), -1, price)", rows) == [.int(1), .int(-1), .int(-1)])
        #expect(try F.eval("is_null(price)", rows) == [.bool(false), .bool(true), .bool(true)])
        #expect(try F.eval("is_null(ok)", rows) == [.bool(false), .bool(false), .bool(true)])
        #expect(try F.eval("is_null(price + qty)", rows) == [.bool(false), .bool(true), .bool(true)])
        #expect(try F.eval("is_null(null)", rows) == [.bool(true), .bool(true), .bool(true)])
        #expect(try F.eval("is_null(1)", rows) == [.bool(false), .bool(false), .bool(false)])
        // A column without nulls: is_null is false everywhere.
        let full = [F.row(["price": .int(1)]), F.row(["price": .int(2)])]
        #expect(try F.eval("is_null(price)", full) == [.bool(false), .bool(false)])
        #expect(try F.eval("coalesce(price, 9)", full) == [.int(1), .int(2)])
    }

    @Test func functionNamesAreCaseInsensitive() throws {
        #expect(try F.value("UPPER('a')") == .string("A"))
        #expect(try F.value("Coalesce(null, 2)") == .int(2))
    }
}
