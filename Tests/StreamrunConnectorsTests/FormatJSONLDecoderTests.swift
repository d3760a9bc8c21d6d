import StreamrunCore
import Testing

@testable import StreamrunConnectors

@Suite struct FormatJSONLDecoderTests {
    typealias T = FormatTesting

    @Test func decodesEveryType() throws {
        let r = try T.jsonl(#"{"i":42,"f":2.5,"s":"hello","b":true,"t":1704067200000}"# + "\n")
        #expect(r.rows == [[.int(42), .float(2.5), .string("hello"), .bool(true), .timestamp(1_704_067_200_000)]])
        #expect(r.progress == DecodeProgress(bytes: 56, lines: 1, rows: 1))
    }

    @Test func keysInAnyOrderMissingKeysAndNulls() throws {
        let text = """
            {"i":1,"f":1.0,"s":"a","b":false,"t":5}
            {"t":6,"b":true,"s":"b","f":2.0,"i":2}
            {"s":"c"}
            {"i":null,"f":null,"s":null,"b":null,"t":null}
            {}
            {"f":3.0,"i":3}
            """
        let r = try T.jsonl(text)
        #expect(r.rows == [
            [.int(1), .float(1), .string("a"), .bool(false), .timestamp(5)],
            [.int(2), .float(2), .string("b"), .bool(true), .timestamp(6)],
            [.null, .null, .string("c"), .null, .null],
            [.null, .null, .null, .null, .null],
            [.null, .null, .null, .null, .null],
            [.int(3), .float(3), .null, .null, .null],
        ])
        #expect(r.progress.lines == 5 && r.progress.rows == 6)
        for column in r.batch.columns { #expect(column.count == 6) }
    }

    @Test func integers() throws {
        let r = try T.jsonl("""
            {"i":0}
            {"i":-7}
            {"i":9223372036854775807}
            {"i":-9223372036854775808}
            {"i":-0}
            """)
        #expect(r.rows.map { $0[0] } == [.int(0), .int(-7), .int(.max), .int(.min), .int(0)])
    }

    @Test(arguments: [
        (#"{"i":9223372036854775808}"#, #"field "i": expected int, got 9223372036854775808 (out of range)"#),
        (#"{"i":-9223372036854775809}"#, #"field "i": expected int, got -9223372036854775809 (out of range)"#),
        (#"{"i":100000000000000000000000}"#, #"field "i": expected int, got 100000000000000000000000 (out of range)"#),
        (#"{"i":1.5}"#, #"field "i": expected int, got 1.5"#),
        (#"{"i":1e3}"#, #"field "i": expected int, got 1e3"#),
        (#"{"i":"abc"}"#, #"field "i": expected int, got "abc""#),
        (#"{"i":true}"#, #"field "i": expected int, got true"#),
        (#"{"i":{"a":1}}"#, #"field "i": expected int, got an object"#),
        (#"{"i":[1]}"#, #"field "i": expected int, got an array"#),
        (#"{"f":"1.5"}"#, #"field "f": expected float, got "1.5""#),
        (#"{"s":42}"#, #"field "s": expected string, got 42"#),
        (#"{"s":false}"#, #"field "s": expected string, got false"#),
        (#"{"b":1}"#, #"field "b": expected bool, got 1"#),
        (#"{"b":"true"}"#, #"field "b": expected bool, got "true""#),
        (#"{"t":1.5}"#, #"field "t": expected timestamp (epoch ms or ISO-8601 string), got 1.5"#),
        (#"{"t":"yesterday"}"#, #"field "t": expected timestamp (epoch ms or ISO-8601 string), got "yesterday""#),
        (#"{"i":1,"i":2}"#, #"field "i" appears twice"#),
        ("[1,2]", "expected a JSON object, got '['"),
        ("42", "expected a JSON object, got '4'"),
    ])
    func valueErrors(line: String, message: String) {
        let error = T.error { () throws(DecodeError) in try T.jsonl(line) }
        #expect(error?.message == message)
    }

    @Test(arguments: [
        (#"{"i":1 "f":2}"#, 8, "expected ',' or '}'"),
        (#"{"i":1,"f":2}x"#, 14, "unexpected data after the object"),
        (#"{"i":1}}"#, 8, "unexpected data after the object"),
        (#"{"i":1,}"#, 8, "expected a field name"),
        (#"{"i" 1}"#, 6, "expected ':'"),
        (#"{"i":}"#, 6, "expected a value, got '}'"),
        (#"{"i":01}"#, 6, "invalid number"),
        (#"{"i":-}"#, 6, "invalid number"),
        (#"{"f":1.}"#, 6, "invalid number"),
        (#"{"f":.5}"#, 6, "expected a value, got '.'"),
        (#"{"f":1e}"#, 6, "invalid number"),
        (#"{"f":-01.5}"#, 6, "invalid number"),
        (#"{"s":"abc}"#, 6, "unterminated string"),
        (#"{"s":"a\qb"}"#, 8, #"invalid escape \q"#),
        (#"{"s":"a\u12G4"}"#, 8, #"invalid \u escape"#),
        ("{\"s\":\"a\tb\"}", 8, "unescaped control character in string"),
        (#"{"x":[1,}"#, 9, "expected a value, got '}'"),
        (#"{"x":{"a" 1}}"#, 11, "expected ':'"),
        (#"{"x":[1 2]}"#, 9, "expected ',' or ']'"),
        (#"{"x":tru}"#, 6, "expected a value"),
        (#"{"i":1"#, 7, "expected ',' or '}'"),
        (#"{"b":truex}"#, 10, "expected ',' or '}'"),
    ])
    func syntaxErrors(line: String, column: Int, what: String) {
        let error = T.error { () throws(DecodeError) in try T.jsonl(line) }
        #expect(error?.message == "invalid JSON at column \(column): \(what)")
        #expect(error?.column == column)
    }

    @Test func floats() throws {
        let cases: [(String, Double)] = [
            ("0", 0), ("-0.0", -0.0), ("1", 1), ("-2.5", -2.5), ("0.1", 0.1), ("1e10", 1e10), ("1E-5", 1e-5),
            ("2.5e+3", 2500), ("123456789012345678901234567890", 123456789012345678901234567890.0),
            ("1.7976931348623157e308", .greatestFiniteMagnitude), ("5e-324", .leastNonzeroMagnitude),
            ("0.30000000000000004", 0.1 + 0.2), ("9007199254740993", 9007199254740992), ("1e400", .infinity),
            ("1e-400", 0), ("0.000000000000000000000000000001", 1e-30), ("3.141592653589793", .pi),
        ]
        let text = cases.map { #"{"f":\#($0.0)}"# }.joined(separator: "\n")
        let r = try T.jsonl(text)
        for (k, c) in cases.enumerated() {
            guard case .float(let v) = r.rows[k][1] else {
                Issue.record("not a float: \(c.0)")
                continue
            }
            #expect(v.bitPattern == c.1.bitPattern, "\(c.0) → \(v), want \(c.1)")
        }
    }

    @Test func floatsRoundTripBitForBit() throws {
        let seed = T.seed("floatsRoundTripBitForBit")
        var random = TestRandom(seed: seed)
        var values: [Double] = []
        while values.count < 20_000 {
            let v: Double
            switch values.count % 4 {
            case 0: v = Double(bitPattern: random.next())
            case 1: v = Double(Int64.random(in: -1_000_000...1_000_000, using: &random)) / 100
            case 2: v = Double.random(in: -1...1, using: &random)
            default: v = Double(Int32.random(in: .min ... .max, using: &random)) * 1e-5
            }
            if v.isFinite { values.append(v) }
        }
        let text = values.map { #"{"f":\#(FloatFormat.string($0))}"# }.joined(separator: "\n")
        let r = try T.jsonl(text)
        for (k, v) in values.enumerated() where r.rows[k][1] != .float(v) || {
            if case .float(let d) = r.rows[k][1] { return d.bitPattern != v.bitPattern }
            return true
        }() {
            Issue.record("seed \(seed): \(FloatFormat.string(v)) decoded as \(r.rows[k][1])")
        }
    }

    @Test func intsAreAcceptedAsFloats() throws {
        let r = try T.jsonl(#"{"f":-12}"#)
        #expect(r.rows[0][1] == .float(-12))
    }

    @Test func stringEscapes() throws {
        let r = try T.jsonl(#"""
            {"s":"q\" b\\ s\/ \b\f\n\r\t"}
            {"s":"\u00e9\u4e2d\ud83d\ude00 é中😀"}
            {"s":"lone \ud800 and \udc00 and \ud800\u0041"}
            {"s":""}
            {"s":"\u0000"}
            """#)
        #expect(r.rows.map { $0[2] } == [
            .string("q\" b\\ s/ \u{8}\u{c}\n\r\t"),
            .string("é中😀 é中😀"),
            .string("lone \u{FFFD} and \u{FFFD} and \u{FFFD}A"),
            .string(""),
            .string("\u{0}"),
        ])
    }

    @Test func escapesInKeys() throws {
        let r = try T.jsonl(#"{"\u0069":7,"\"x":1}"#)
        #expect(r.rows[0][0] == .int(7))
    }

    @Test func timestamps() throws {
        let r = try T.jsonl("""
            {"t":0}
            {"t":-1000}
            {"t":"2024-01-01T00:00:00Z"}
            {"t":"2024-01-01T01:00:00.250+01:00"}
            {"t":"2024-01-02"}
            {"t":"2024-01-01 00:00:01"}
            {"t":"2024\\u002d01-01"}
            """)
        #expect(r.rows.map { $0[4] } == [
            .timestamp(0), .timestamp(-1000), .timestamp(1_704_067_200_000), .timestamp(1_704_067_200_250),
            .timestamp(1_704_153_600_000), .timestamp(1_704_067_201_000), .timestamp(1_704_067_200_000),
        ])
    }

    @Test func unknownKeysAreSkippedWhateverTheirValue() throws {
        let r = try T.jsonl(#"""
            {"x":{"a":[1,{"b":null},"}]\""],"c":"}"},"i":1,"y":[],"z":{},"w":-1.5e-3,"v":"\u00e9","u":true}
            { "i" : 2 , "x" : [ [ ] , { } ] }
            """#)
        #expect(r.rows.map { $0[0] } == [.int(1), .int(2)])
    }

    @Test func nestingDepthIsLimited() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let error = T.error { () throws(DecodeError) in try T.jsonl(#"{"x":\#(deep)}"#) }
        #expect(error?.message.hasSuffix("nesting deeper than 256") == true)
    }

    @Test func crlfBlankLinesAndLineCounts() throws {
        let text = "{\"i\":1}\r\n\r\n   \n\t\r\n{\"i\":2}\r\n\n"
        let r = try T.jsonl(text)
        #expect(r.rows.map { $0[0] } == [.int(1), .int(2)])
        #expect(r.progress == DecodeProgress(bytes: text.utf8.count, lines: 6, rows: 2))
    }

    @Test func errorLineCountsBlankLinesAndKeepsEarlierRows() {
        let text = "{\"i\":1}\n\n{\"i\":2}\n{\"i\":3,\"s\":\"ok\",\"b\":\"no\"}\n{\"i\":4}\n"
        var decoder = JSONLDecoder(schema: T.schema)
        var builder = BatchBuilder(schema: T.schema)
        let bytes = Array(text.utf8)
        do {
            _ = try bytes.withUnsafeBufferPointer { (b) throws(DecodeError) in
                try decoder.decode(b, atEOF: true, maxRows: .max, into: &builder)
            }
            Issue.record("no error")
        } catch {
            #expect(error.message == #"field "b": expected bool, got "no""#)
            #expect(error.line == 3)
            #expect(error.column == 21)
            #expect(error.consumed == DecodeProgress(bytes: 17, lines: 3, rows: 2))
            #expect(error.located(file: "bids.jsonl", linesBefore: 10).description
                == #"bids.jsonl:14: field "b": expected bool, got "no""#)
        }
        // No partial row of the bad record: every column holds exactly the two good rows.
        let batch = builder.finish()
        #expect(batch.count == 2)
        for column in batch.columns { #expect(column.count == 2) }
        #expect(batch.rows(schema: T.schema).map { $0[0] } == [.int(1), .int(2)])
    }

    @Test func incompleteLastRecordIsLeftForTheNextBuffer() throws {
        let text = "{\"i\":1}\n{\"i\":2}\n{\"i\":"
        let partial = try T.jsonl(text, atEOF: false)
        #expect(partial.rows.count == 2)
        #expect(partial.progress == DecodeProgress(bytes: 16, lines: 2, rows: 2))

        let noNewline = try T.jsonl("{\"i\":3}", atEOF: false)
        #expect(noNewline.progress == DecodeProgress())
        let atEOF = try T.jsonl("{\"i\":3}", atEOF: true)
        #expect(atEOF.rows == [[.int(3), .null, .null, .null, .null]])
        #expect(atEOF.progress == DecodeProgress(bytes: 7, lines: 0, rows: 1))

        let error = T.error { () throws(DecodeError) in try T.jsonl(text, atEOF: true) }
        #expect(error?.line == 2)
        #expect(error?.message == "invalid JSON at column 6: expected a value")
    }

    @Test func maxRowsIsRespected() throws {
        let text = "{\"i\":1}\n\n{\"i\":2}\n{\"i\":3}\n"
        let r = try T.jsonl(text, maxRows: 2)
        #expect(r.rows.count == 2)
        #expect(r.progress == DecodeProgress(bytes: 17, lines: 3, rows: 2))
        let none = try T.jsonl(text, maxRows: 0)
        #expect(none.progress == DecodeProgress())
    }

    @Test func chunkedDecodingMatchesOneShot() throws {
        let seed = T.seed("jsonl.chunkedDecodingMatchesOneShot")
        var random = TestRandom(seed: seed)
        var lines: [String] = []
        for k in 0..<300 {
            let keys = [#""i":\#(k)"#, #""s":"line \#(k) \u00e9 \"q\"""#, #""f":\#(Double(k) / 8)"#, #""x":{"a":[1,2]}"#]
            lines.append("{" + keys.shuffled(using: &random).joined(separator: ",") + "}")
            if k % 17 == 0 { lines.append("") }
        }
        let text = lines.joined(separator: k0(&random) ? "\r\n" : "\n")
        let whole = try T.jsonl(text)
        var decoder = JSONLDecoder(schema: T.schema)
        let chunked = try T.decodeChunked(&decoder, Array(text.utf8), maxRows: 7) { _ in Int.random(in: 1...64, using: &random) }
        #expect(chunked.batch.rows(schema: T.schema) == whole.rows, "seed \(seed)")
        #expect(chunked.lines == lines.count - 1)
        #expect(whole.rows.count == 300)
    }

    private func k0(_ random: inout TestRandom) -> Bool { Bool.random(using: &random) }

    @Test func wideSchemasTrackColumnsPast64() throws {
        let schema = Schema((0..<70).map { Field("c\($0)", .int) })
        let r = try T.jsonl(#"{"c69":69,"c0":0,"c65":65}"# + "\n" + #"{"c66":1}"#, schema: schema)
        #expect(r.rows[0][69] == .int(69) && r.rows[0][65] == .int(65) && r.rows[0][0] == .int(0) && r.rows[0][1] == .null)
        #expect(r.rows[1][66] == .int(1) && r.rows[1][69] == .null)
        let error = T.error { () throws(DecodeError) in try T.jsonl(#"{"c67":1,"c67":2}"#, schema: schema) }
        #expect(error?.message == #"field "c67" appears twice"#)
    }

    @Test func nexmarkStyleLine() throws {
        let schema = NexmarkGenerator.schema
        let line = #"{"auction":1000,"bidder":1001,"price":12345,"channel":"Google","url":"https://www.nexmark.com/a/b/c/item.htm?query=1","dateTime":1704067200000,"extra":"abc"}"#
        let r = try T.jsonl(line + "\n" + line + "\n", schema: schema)
        #expect(r.rows.count == 2)
        #expect(r.rows[1] == [
            .int(1000), .int(1001), .int(12345), .string("Google"), .string("https://www.nexmark.com/a/b/c/item.htm?query=1"),
            .timestamp(1_704_067_200_000), .string("abc"),
        ])
    }
}
