import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Each constraint of a schema entry, in jsonl and csv: a value on the boundary passes, one past it
/// makes the record bad with the right rule, field and message, and the record leaves no partial row.
@Suite struct FormatConstraintTests {
    typealias C = ConstraintTesting

    /// A rule with a passing and a failing value in each format; the field is `x` of
    /// `{"id": "int", "x": entry, "z": "string"}`, in the middle so that a bad value comes after an
    /// appended one.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var entry: String
        /// jsonl: a passing value and what it decodes to, a failing value.
        var json: (good: String, value: Value, bad: String)
        /// csv: the same; nil where the rule does not apply to csv.
        var csv: (good: String, value: Value, bad: String)?
        var rule: DeadLetter.Rule
        var message: String
        /// The csv message where it differs.
        var csvMessage: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "min of an int", entry: #"{"type": "int", "min": 0}"#, json: ("0", .int(0), "-5"), csv: ("0", .int(0), "-5"),
             rule: .min, message: #"field "x": -5 is less than the minimum 0"#),
        Case(name: "max of an int", entry: #"{"type": "int", "max": 1e9}"#, json: ("1000000000", .int(1_000_000_000), "1000000001"),
             csv: ("1000000000", .int(1_000_000_000), "1000000001"), rule: .max,
             message: #"field "x": 1000000001 is greater than the maximum 1e9"#),
        Case(name: "min of a float", entry: #"{"type": "float", "min": -0.5}"#, json: ("-0.5", .float(-0.5), "-0.51"),
             csv: ("-0.5", .float(-0.5), "-0.51"), rule: .min, message: #"field "x": -0.51 is less than the minimum -0.5"#),
        Case(name: "max of a float", entry: #"{"type": "float", "max": 2.5}"#, json: ("2.5", .float(2.5), "2.5000001"),
             csv: ("2.5", .float(2.5), "2.5000001"), rule: .max, message: #"field "x": 2.5000001 is greater than the maximum 2.5"#),
        Case(name: "NaN against a min", entry: #"{"type": "float", "min": 0}"#, json: ("0", .float(0), "-1"),
             csv: ("0", .float(0), "NaN"), rule: .min, message: #"field "x": -1.0 is less than the minimum 0"#,
             csvMessage: #"field "x": NaN cannot be compared with the minimum 0"#),
        Case(name: "enum of ints", entry: #"{"type": "int", "enum": [1, 2, 3]}"#, json: ("3", .int(3), "4"), csv: ("3", .int(3), "4"),
             rule: .enum, message: #"field "x": 4 is not one of 1, 2, 3"#),
        Case(name: "enum of floats", entry: #"{"type": "float", "enum": [0.5, 2]}"#, json: ("2", .float(2), "0.25"),
             csv: ("2", .float(2), "0.25"), rule: .enum, message: #"field "x": 0.25 is not one of 0.5, 2.0"#),
        Case(name: "enum of strings", entry: #"{"type": "string", "enum": ["Apple", "Google"]}"#,
             json: (#""Google""#, .string("Google"), #""Googlf""#), csv: ("Google", .string("Google"), "Googlf"),
             rule: .enum, message: #"field "x": "Googlf" is not one of "Apple", "Google""#),
        Case(name: "enum of bools", entry: #"{"type": "bool", "enum": [true]}"#, json: ("true", .bool(true), "false"),
             csv: ("TRUE", .bool(true), "false"), rule: .enum, message: #"field "x": false is not one of true"#),
        Case(name: "enum of timestamps", entry: #"{"type": "timestamp", "enum": ["2024-01-01"]}"#,
             json: (#""2024-01-01""#, .timestamp(1_704_067_200_000), "0"), csv: ("1704067200000", .timestamp(1_704_067_200_000), "0"),
             rule: .enum, message: #"field "x": 1970-01-01T00:00:00.000Z is not one of 2024-01-01T00:00:00.000Z"#),
        Case(name: "minLength counts scalars", entry: #"{"type": "string", "minLength": 3}"#,
             json: (#""aé😀""#, .string("aé😀"), #""éé""#), csv: ("aé😀", .string("aé😀"), "éé"),
             rule: .minLength, message: #"field "x": "éé" has 2 characters, fewer than the minimum length 3"#),
        Case(name: "maxLength counts scalars", entry: #"{"type": "string", "maxLength": 3}"#,
             json: (#""é😀é""#, .string("é😀é"), #""abcd""#), csv: ("é😀é", .string("é😀é"), "abcd"),
             rule: .maxLength, message: #"field "x": "abcd" has 4 characters, more than the maximum length 3"#),
        Case(name: "pattern matches the whole value", entry: #"{"type": "string", "pattern": "https?://[a-z.]+"}"#,
             json: (#""https://a.b""#, .string("https://a.b"), #""https://a.b/c""#),
             csv: ("https://a.b", .string("https://a.b"), "https://a.b/c"),
             rule: .pattern, message: #"field "x": "https://a.b/c" does not match the pattern https?://[a-z.]+"#),
        Case(name: "min of a timestamp", entry: #"{"type": "timestamp", "min": "2020-01-01"}"#,
             json: ("1577836800000", .timestamp(1_577_836_800_000), "1577836799999"),
             csv: ("2020-01-01", .timestamp(1_577_836_800_000), "1577836799999"),
             rule: .min, message: #"field "x": 2019-12-31T23:59:59.999Z is before the minimum "2020-01-01""#),
        Case(name: "max of a timestamp", entry: #"{"type": "timestamp", "max": 1577836800000}"#,
             json: (#""2020-01-01T00:00:00Z""#, .timestamp(1_577_836_800_000), #""2020-01-01T00:00:00.001Z""#),
             csv: ("2020-01-01T00:00:00Z", .timestamp(1_577_836_800_000), "2020-01-01T00:00:00.001Z"),
             rule: .max, message: #"field "x": 2020-01-01T00:00:00.001Z is after the maximum 1577836800000"#),
        Case(name: "format of a timestamp", entry: #"{"type": "timestamp", "format": "epochSeconds"}"#,
             json: ("1700000000", .timestamp(1_700_000_000_000), #""1700000000""#),
             csv: ("1700000000", .timestamp(1_700_000_000_000), "1.5"),
             rule: .format, message: #"field "x": "1700000000" does not match the format epochSeconds"#,
             csvMessage: #"field "x": "1.5" does not match the format epochSeconds"#),
        Case(name: "nullable false on an int", entry: #"{"type": "int", "nullable": false}"#, json: ("0", .int(0), "null"),
             csv: ("0", .int(0), " "), rule: .required, message: #"field "x" must not be null"#,
             csvMessage: #"field "x" must not be empty"#),
        Case(name: "nullable false on a string", entry: #"{"type": "string", "nullable": false}"#,
             json: (#""""#, .string(""), "null"), csv: ("a", .string("a"), #""""#), rule: .required,
             message: #"field "x" must not be null"#, csvMessage: #"field "x" must not be empty"#),
        Case(name: "required allows null", entry: #"{"type": "int", "required": true}"#, json: ("null", .null, #""1""#),
             csv: ("", .null, "a"), rule: .type, message: #"field "x": expected int, got "1""#,
             csvMessage: #"field "x": expected int, got "a""#),
    ]

    static let schema = #"{"id": "int", "x": ENTRY, "z": "string"}"#

    @Test(arguments: cases)
    func jsonl(_ c: Case) throws {
        let decoder = try C.decoder(Self.schema.replacingOccurrences(of: "ENTRY", with: c.entry), format: .jsonl)
        try Self.expectRule(decoder, good: #"{"id": 1, "x": \#(c.json.good), "z": "end"}"# + "\n",
                            bad: #"{"id": 2, "x": \#(c.json.bad), "z": "end"}"# + "\n",
                            value: c.json.value, rule: c.rule, message: c.message)
    }

    @Test(arguments: cases.filter { $0.csv != nil })
    func csv(_ c: Case) throws {
        let csv = try #require(c.csv)
        let decoder = try C.decoder(Self.schema.replacingOccurrences(of: "ENTRY", with: c.entry), format: .csv)
        try Self.expectRule(decoder, good: "1,\(csv.good),end\n", bad: "2,\(csv.bad),end\n",
                            value: csv.value, rule: c.rule, message: c.csvMessage ?? c.message)
    }

    /// `good` decodes to a row holding `value`; `bad` between two good records breaks `rule` with
    /// `message`, keeps the row before it, leaves no partial row, and is skipped cleanly.
    static func expectRule(_ decoder: any RecordDecoder, good: String, bad: String, value: Value, rule: DeadLetter.Rule,
                           message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let row: [Value] = [.int(1), value, .string("end")]
        let ok = C.decode(decoder, good + good)
        #expect(ok.error == nil, sourceLocation: sourceLocation)
        #expect(FormatTesting.sameRows(ok.rows, [row, row]), sourceLocation: sourceLocation)
        let r = C.decode(decoder, good + bad + good)
        let e = try #require(r.error, sourceLocation: sourceLocation)
        #expect(e.rule == rule, sourceLocation: sourceLocation)
        #expect(e.field == "x", sourceLocation: sourceLocation)
        #expect(e.message == message, sourceLocation: sourceLocation)
        #expect(e.consumed.rows == 1 && e.consumed.bytes == good.utf8.count, sourceLocation: sourceLocation)
        // The row decoded before stays; the bad record leaves nothing, not even its "id".
        #expect(FormatTesting.sameRows(r.rows, [row]), sourceLocation: sourceLocation)
        let skipped = C.decodeSkipping(decoder, good + bad + good)
        #expect(FormatTesting.sameRows(skipped.rows, [row, row]), sourceLocation: sourceLocation)
        #expect(skipped.errors.count == 1, sourceLocation: sourceLocation)
    }

    @Test func jsonlRequiredRefusesAMissingKey() throws {
        let required = try C.decoder(#"{"id": "int", "x": {"type": "int", "required": true}}"#, format: .jsonl)
        let r = C.decode(required, "{\"id\": 1, \"x\": null}\n{\"id\": 2}\n")
        #expect(r.rows == [[.int(1), .null]])
        #expect(r.error?.message == #"field "x" is required"#)
        #expect(r.error?.rule == .required && r.error?.field == "x")
        // Missing is null, so a field that must not be null must be there too.
        let notNull = try C.decoder(#"{"id": "int", "x": {"type": "int", "nullable": false}}"#, format: .jsonl)
        #expect(C.decode(notNull, "{\"id\": 2}\n").error?.message == #"field "x" is required"#)
        // Without constraints a missing key is null, as before.
        let plain = try C.decoder(#"{"id": "int", "x": "int"}"#, format: .jsonl)
        #expect(C.decode(plain, "{\"id\": 2}\n").rows == [[.int(2), .null]])
    }

    @Test func csvRequiredChangesNothing() throws {
        let decoder = try C.decoder(#"{"id": "int", "x": {"type": "int", "required": true}}"#, format: .csv)
        let r = C.decode(decoder, "1,\n")
        #expect(r.error == nil)
        #expect(r.rows == [[.int(1), .null]])
    }

    @Test func jsonlChecksStringsWithEscapesDecoded() throws {
        let decoder = try C.decoder(#"{"x": {"type": "string", "enum": ["Google"], "maxLength": 6}}"#, format: .jsonl)
        #expect(C.decode(decoder, #"{"x": "Goo\u0067le"}"# + "\n").rows == [[.string("Google")]])
        let e = C.decode(decoder, #"{"x": "Goo\"gle"}"# + "\n").error
        #expect(e?.rule == .maxLength)
        #expect(e?.message == #"field "x": "Goo"gle" has 7 characters, more than the maximum length 6"#)
    }

    @Test func jsonlProblemsPointAtTheValue() throws {
        let decoder = try C.decoder(#"{"id": "int", "x": {"type": "int", "min": 0}}"#, format: .jsonl)
        let e = C.decode(decoder, #"{"id": 1, "x": -5}"# + "\n").error
        #expect(e?.column == 16)
    }

    @Test func lengthsOfLongStrings() throws {
        // Long enough for the eight-bytes-at-a-time count, with multi-byte scalars across words.
        let text = String(repeating: "aé😀", count: 20)  // 60 scalars, 140 bytes
        let exact = try C.decoder(#"{"x": {"type": "string", "minLength": 60, "maxLength": 60}}"#, format: .csv)
        #expect(C.decode(exact, text + "\n").rows == [[.string(text)]])
        let short = try C.decoder(#"{"x": {"type": "string", "minLength": 61}}"#, format: .csv)
        #expect(C.decode(short, text + "\n").error?.rule == .minLength)
        let long = try C.decoder(#"{"x": {"type": "string", "maxLength": 59}}"#, format: .jsonl)
        #expect(C.decode(long, "{\"x\": \"\(text)\"}\n").error?.rule == .maxLength)
    }

    @Test func manyAllowedValuesAreListedShort() throws {
        let values = (1...12).map(String.init).joined(separator: ", ")
        let decoder = try C.decoder(#"{"x": {"type": "int", "enum": [\#(values)]}}"#, format: .jsonl)
        #expect(C.decode(decoder, "{\"x\": 12}\n").error == nil)
        #expect(C.decode(decoder, "{\"x\": 13}\n").error?.message
            == #"field "x": 13 is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (12 values)"#)
    }
}
