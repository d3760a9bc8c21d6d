import StreamrunCore
import Testing

@testable import StreamrunPlan

@Suite struct ExpressionOperatorTests {
    typealias F = ExprFixture

    /// Rows of (price, qty) pairs, for binary operator tests over columns.
    static func pairs(_ values: [(Value, Value)]) -> [[Value]] {
        values.map { F.row(["price": $0.0, "qty": $0.1]) }
    }

    @Test func integerArithmeticOverColumns() throws {
        let rows = Self.pairs([(.int(7), .int(2)), (.int(-7), .int(2)), (.int(7), .int(-3)), (.int(-7), .int(-3))])
        #expect(try F.eval("price + qty", rows) == [.int(9), .int(-5), .int(4), .int(-10)])
        #expect(try F.eval("price - qty", rows) == [.int(5), .int(-9), .int(10), .int(-4)])
        #expect(try F.eval("price * qty", rows) == [.int(14), .int(-14), .int(-21), .int(21)])
        // Integer division truncates toward zero; % has the sign of the dividend.
        #expect(try F.eval("price / qty", rows) == [.int(3), .int(-3), .int(-2), .int(2)])
        #expect(try F.eval("price % qty", rows) == [.int(1), .int(-1), .int(1), .int(-1)])
    }

    @Test func integerArithmeticWithScalars() throws {
        let rows = Self.pairs([(.int(10), .null), (.int(-10), .null), (.null, .null)])
        #expect(try F.eval("price / 3", rows) == [.int(3), .int(-3), .null])
        #expect(try F.eval("100 / price", rows) == [.int(10), .int(-10), .null])
        #expect(try F.eval("price % 3", rows) == [.int(1), .int(-1), .null])
        #expect(try F.eval("7 - price", rows) == [.int(-3), .int(17), .null])
        #expect(try F.eval("-price", rows) == [.int(-10), .int(10), .null])
    }

    @Test func integerArithmeticWraps() throws {
        let rows = Self.pairs([(.int(Int64.max), .int(1)), (.int(Int64.min), .int(-1)), (.int(Int64.min), .int(2))])
        #expect(try F.eval("price + qty", rows) == [.int(Int64.min), .int(Int64.max), .int(Int64.min + 2)])
        #expect(try F.eval("price * qty", rows) == [.int(Int64.max), .int(Int64.min), .int(0)])
        #expect(try F.eval("price / qty", rows) == [.int(Int64.max), .int(Int64.min), .int(Int64.min / 2)])
        #expect(try F.eval("price % qty", rows) == [.int(0), .int(0), .int(0)])
        #expect(try F.eval("-price", rows) == [.int(-Int64.max), .int(Int64.min), .int(Int64.min)])
        #expect(try F.value("9223372036854775807 + 1") == .int(Int64.min))
        #expect(try F.value("-9223372036854775808 / -1") == .int(Int64.min))
        #expect(try F.value("-9223372036854775808 % -1") == .int(0))
        #expect(try F.value("-(-9223372036854775808)") == .int(Int64.min))
    }

    @Test func divisionByZeroIsNull() throws {
        let rows = Self.pairs([(.int(7), .int(0)), (.int(7), .int(2)), (.null, .int(0))])
        #expect(try F.eval("price / qty", rows) == [.null, .int(3), .null])
        #expect(try F.eval("price % qty", rows) == [.null, .int(1), .null])
        #expect(try F.eval("price / 0", rows) == [.null, .null, .null])
        #expect(try F.eval("price % 0", rows) == [.null, .null, .null])
        #expect(try F.value("1 / 0") == .null)
        let floats = [F.row(["rate": .float(1.5), "fee": .float(0)]), F.row(["rate": .float(1.5), "fee": .float(-0.0)]),
            F.row(["rate": .float(3), "fee": .float(2)])]
        #expect(try F.eval("rate / fee", floats) == [.null, .null, .float(1.5)])
        #expect(try F.eval("rate % fee", floats) == [.null, .null, .float(1)])
        #expect(try F.eval("rate / 0.0", floats) == [.null, .null, .null])
        #expect(try F.eval("rate / 0", floats) == [.null, .null, .null])
        #expect(try F.eval("coalesce(price / qty, -1)", Self.pairs([(.int(1), .int(0))])) == [.int(-1)])
    }

    @Test func floatArithmeticAndMixing() throws {
        let rows = [F.row(["price": .int(3), "rate": .float(0.5), "fee": .float(-7.5)])]
        #expect(try F.eval("price + rate", rows) == [.float(3.5)])
        #expect(try F.eval("rate * price", rows) == [.float(1.5)])
        #expect(try F.eval("price / 2.0", rows) == [.float(1.5)])
        #expect(try F.eval("price / 2", rows) == [.int(1)])
        #expect(try F.eval("fee % 2", rows) == [.float(-1.5)])
        #expect(try F.eval("-fee", rows) == [.float(7.5)])
        #expect(try F.eval("rate - fee", rows) == [.float(8)])
    }

    @Test func timestampArithmetic() throws {
        let rows = [F.row(["ts": .timestamp(1_000), "ts2": .timestamp(400), "price": .int(5)])]
        #expect(try F.eval("ts + price", rows) == [.timestamp(1_005)])
        #expect(try F.eval("price + ts", rows) == [.timestamp(1_005)])
        #expect(try F.eval("ts - 1000", rows) == [.timestamp(0)])
        #expect(try F.eval("ts - ts2", rows) == [.int(600)])
        #expect(try F.eval("ts > ts2", rows) == [.bool(true)])
        #expect(try F.eval("ts == 1000", rows) == [.bool(true)])
        #expect(try F.eval("ts2 < price", rows) == [.bool(false)])
    }

    @Test func numericComparisons() throws {
        let rows = Self.pairs([(.int(1), .int(2)), (.int(2), .int(2)), (.int(3), .int(2)), (.null, .int(2)), (.int(1), .null)])
        #expect(try F.eval("price == qty", rows) == [.bool(false), .bool(true), .bool(false), .null, .null])
        #expect(try F.eval("price != qty", rows) == [.bool(true), .bool(false), .bool(true), .null, .null])
        #expect(try F.eval("price < qty", rows) == [.bool(true), .bool(false), .bool(false), .null, .null])
        #expect(try F.eval("price <= qty", rows) == [.bool(true), .bool(true), .bool(false), .null, .null])
        #expect(try F.eval("price > qty", rows) == [.bool(false), .bool(false), .bool(true), .null, .null])
        #expect(try F.eval("price >= qty", rows) == [.bool(false), .bool(true), .bool(true), .null, .null])
        #expect(try F.eval("price >= 2", rows) == [.bool(false), .bool(true), .bool(true), .null, .bool(false)])
        #expect(try F.eval("2 > price", rows) == [.bool(true), .bool(false), .bool(false), .null, .bool(true)])
        #expect(try F.eval("price < 1.5", rows) == [.bool(true), .bool(false), .bool(false), .null, .bool(true)])
        let nan = [F.row(["rate": .float(.nan), "fee": .float(.nan)])]
        #expect(try F.eval("rate == fee", nan) == [.bool(false)])
        #expect(try F.eval("rate != fee", nan) == [.bool(true)])
        #expect(try F.eval("rate < 1", nan) == [.bool(false)])
    }

    @Test func stringComparisonsAreBytewise() throws {
        let pairs: [(String, String)] = [("a", "b"), ("Z", "a"), ("é", "z"), ("", "a"), ("ab", "abc"), ("abc", "abc"), ("b", "abc")]
        let rows = pairs.map { F.row(["name": .string($0.0), "city": .string($0.1)]) }
        #expect(try F.eval("name < city", rows) == [true, true, false, true, true, false, false].map(Value.bool))
        #expect(try F.eval("name == city", rows) == [false, false, false, false, false, true, false].map(Value.bool))
        #expect(try F.eval("name >= city", rows) == [false, false, true, false, false, true, true].map(Value.bool))
        #expect(try F.eval("name == 'abc'", rows) == [false, false, false, false, false, true, false].map(Value.bool))
        #expect(try F.eval("'abc' != name", rows) == [true, true, true, true, true, false, true].map(Value.bool))
        #expect(try F.eval("name > 'ab'", rows) == [false, false, true, false, false, true, true].map(Value.bool))
        #expect(try F.eval("name == 'x'", [F.row([:])]) == [.null])
    }

    @Test func boolEquality() throws {
        let rows = [F.row(["ok": .bool(true), "flag": .bool(true)]), F.row(["ok": .bool(true), "flag": .bool(false)]),
            F.row(["ok": .null, "flag": .bool(false)])]
        #expect(try F.eval("ok == flag", rows) == [.bool(true), .bool(false), .null])
        #expect(try F.eval("ok != flag", rows) == [.bool(false), .bool(true), .null])
        #expect(try F.eval("flag == false", rows) == [.bool(false), .bool(true), .bool(true)])
    }

    /// The full three-valued truth table, over columns and with literals.
    @Test func threeValuedLogic() throws {
        let vals: [Value] = [.bool(true), .bool(false), .null]
        var rows: [[Value]] = []
        for a in vals { for b in vals { rows.append(F.row(["ok": a, "flag": b])) } }
        let t = Value.bool(true), f = Value.bool(false), n = Value.null
        // Rows: (T,T) (T,F) (T,N) (F,T) (F,F) (F,N) (N,T) (N,F) (N,N)
        #expect(try F.eval("ok && flag", rows) == [t, f, n, f, f, f, n, f, n])
        #expect(try F.eval("ok || flag", rows) == [t, t, t, t, f, n, t, n, n])
        #expect(try F.eval("ok and flag", rows) == [t, f, n, f, f, f, n, f, n])
        #expect(try F.eval("!ok", rows) == [f, f, f, t, t, t, n, n, n])
        #expect(try F.eval("ok && null", rows) == [n, n, n, f, f, f, n, n, n])
        #expect(try F.eval("null && ok", rows) == [n, n, n, f, f, f, n, n, n])
        #expect(try F.eval("ok || null", rows) == [t, t, t, n, n, n, n, n, n])
        #expect(try F.eval("null || ok", rows) == [t, t, t, n, n, n, n, n, n])
        #expect(try F.eval("ok && true", rows) == [t, t, t, f, f, f, n, n, n])
        #expect(try F.eval("ok || false", rows) == [t, t, t, f, f, f, n, n, n])
        #expect(try F.eval("ok && false", rows) == [f, f, f, f, f, f, f, f, f])
        #expect(try F.eval("ok || true", rows) == [t, t, t, t, t, t, t, t, t])
        #expect(try F.value("false && null") == f)
        #expect(try F.value("true || null") == t)
        #expect(try F.value("true && null") == n)
        #expect(try F.value("null || false") == n)
        #expect(try F.value("!null") == n)
        // A null on one side and a computed column on the other.
        #expect(try F.eval("is_null(ok) || flag", rows) == [t, f, n, t, f, n, t, t, t])
    }

    @Test func nullPropagatesThroughOperators() throws {
        let rows = [F.row(["price": .int(1)]), F.row([:])]
        for src in ["price + 1", "1 - price", "price * price", "price / 1", "price % 2", "-price", "price + rate", "ts + price"] {
            #expect(try F.eval(src, rows)[1] == .null, "\(src)")
            #expect(try F.eval(src, rows)[0] != .null || src.contains("rate") || src.contains("ts"), "\(src)")
        }
        #expect(try F.eval("price + null", rows) == [.null, .null])
        #expect(try F.eval("price == null", rows) == [.null, .null])
        #expect(try F.eval("null", rows) == [.null, .null])
    }

    @Test func nullTypeEvaluatesToStringNulls() throws {
        let e = try F.compile("null")
        #expect(e.type == nil)
        let col = try e.evaluate(RecordBatch(schema: F.schema, rows: [F.row([:]), F.row([:])]))
        #expect(col == Column.nulls(.string, count: 2))
    }

    @Test func fieldReferenceIsZeroCopy() throws {
        let batch = RecordBatch(schema: F.schema, rows: (0..<100).map { F.row(["price": .int(Int64($0))]) })
        let col = try F.compile("price").evaluate(batch)
        guard case .int(let a) = col.storage, case .int(let b) = batch.columns[0].storage else {
            Issue.record("expected ints")
            return
        }
        let pa = a.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let pb = b.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(pa == pb)
    }

    @Test func constantsBroadcastToTheBatch() throws {
        let batch = RecordBatch(schema: F.schema, rows: [F.row([:]), F.row([:]), F.row([:])])
        #expect(try F.compile("'x'").evaluate(batch) == Column(.string(StringArray(["x", "x", "x"]))))
        #expect(try F.compile("1 + 1").evaluate(batch) == Column(.int([2, 2, 2])))
        #expect(try F.compile("price + null").evaluate(batch) == Column.nulls(.int, count: 3))
        #expect(try F.compile("price").evaluate(RecordBatch.empty(F.schema)).count == 0)
        #expect(try F.compile("price + 1").evaluate(RecordBatch.empty(F.schema)) == Column(.int([])))
    }

    @Test func nullSlotsHoldPlaceholders() throws {
        let rows = [F.row(["price": .int(5), "qty": .int(0)]), F.row(["price": .int(5)])]
        let batch = RecordBatch(schema: F.schema, rows: rows)
        #expect(try F.compile("price / qty").evaluate(batch) == Column(.int([0, 0]), validity: [false, false]))
        #expect(try F.compile("price + 1 > qty").evaluate(batch) == Column(.bool([true, false]), validity: [true, false]))
        #expect(try F.compile("string(price + qty)").evaluate(batch)
            == Column(.string(StringArray(["5", ""])), validity: [true, false]))
    }

    @Test func selectionDropsNullAndFalse() throws {
        let rows = [F.row(["price": .int(5)]), F.row(["price": .int(1)]), F.row([:])]
        let batch = RecordBatch(schema: F.schema, rows: rows)
        #expect(try F.compile("price > 2").selection(batch) == [true, false, false])
        #expect(try F.compile("true").selection(batch) == [true, true, true])
        #expect(try F.compile("null").selection(batch) == [false, false, false])
        #expect(try F.compile("price > null").selection(batch) == [false, false, false])
    }

    @Test func mismatchedBatchIsAnInternalError() throws {
        let e = try F.compile("price + 1")
        let wrong = RecordBatch(count: 1, columns: [Column(.string(StringArray(["x"])))])
        #expect(throws: StreamrunError.self) { try e.evaluate(wrong) }
        #expect(throws: StreamrunError.self) { try e.evaluate(RecordBatch(count: 0, columns: [])) }
    }
}
