import StreamrunCore
import Testing
@testable import StreamrunPlan

/// The object form of a file source's schema entries: what it reads, and every mistake at its path.
@Suite("field constraints in job.json")
struct FieldConstraintsParserTests {
    /// A job whose one file source has `schema` (the text of the schema object).
    static func job(_ schema: String) -> String {
        JobText.job(sources: #"{ "id": "in", "type": "file", "path": "in.jsonl", "schema": \#(schema) }"#,
                    sinks: JobText.stdout("in"))
    }

    static func source(_ schema: String) throws -> SourceSpec {
        let (spec, issues) = parseSpec(job(schema))
        #expect(issues == [])
        return try #require(spec.sources.first)
    }

    @Test func bothFormsGiveTheSameSchema() throws {
        let plain = try Self.source(#"{ "price": "int", "channel": "string", "t": "timestamp" }"#)
        let objects = try Self.source(#"{ "price": { "type": "int" }, "channel": "string", "t": { "type": "timestamp", "_note": "x" } }"#)
        #expect(plain.schema == objects.schema)
        #expect(plain.schema == Schema([Field("price", .int), Field("channel", .string), Field("t", .timestamp)]))
        // An object form with nothing but the type declares no constraints.
        #expect(plain.constraints.isEmpty)
        #expect(objects.constraints.isEmpty)
    }

    @Test func readsEveryRule() throws {
        let s = try Self.source("""
            { "price": { "type": "int", "required": true, "nullable": false, "min": 0, "max": 1e9 },
              "rate": { "type": "float", "min": -0.5, "max": 2.5, "enum": [1, 1.5] },
              "channel": { "type": "string", "enum": ["Apple", "Google"], "minLength": 1, "maxLength": 20,
                           "pattern": "[A-Z][a-z]+" },
              "plain": "string",
              "t": { "type": "timestamp", "min": "2020-01-01", "max": 1893456000000, "format": "%Y-%m-%d %H:%M:%S%z" },
              "ok": { "type": "bool", "enum": [true] } }
            """)
        #expect(s.constraints.count == 6)
        let price = try #require(s.constraints(at: 0))
        #expect(price.required && !price.nullable)
        #expect(price.min == .init(.int(0), text: "0"))
        #expect(price.max == .init(.int(1_000_000_000), text: "1e9"))
        let rate = try #require(s.constraints(at: 1))
        #expect(rate.min?.value == .float(-0.5) && rate.max?.value == .float(2.5))
        #expect(rate.allowed == [.float(1), .float(1.5)])
        let channel = try #require(s.constraints(at: 2))
        #expect(channel.allowed == [.string("Apple"), .string("Google")])
        #expect(channel.minLength == 1 && channel.maxLength == 20)
        #expect(channel.pattern?.text == "[A-Z][a-z]+")
        #expect(channel.pattern?.matches("Apple") == true)
        #expect(channel.pattern?.matches("Apple1") == false, "the whole value must match")
        #expect(channel.nullable && !channel.required)
        #expect(s.constraints(at: 3) == nil)
        let t = try #require(s.constraints(at: 4))
        #expect(t.min == .init(.timestamp(1_577_836_800_000), text: "\"2020-01-01\""))
        #expect(t.max?.value == .timestamp(1_893_456_000_000))
        #expect(t.format == .pattern(try TimestampPattern("%Y-%m-%d %H:%M:%S%z")))
        #expect(s.constraints(at: 5)?.allowed == [.bool(true)])
        #expect(s.constraints(at: 99) == nil)
    }

    @Test func namedTimestampFormats() throws {
        let s = try Self.source("""
            { "a": { "type": "timestamp", "format": "epochMillis" }, "b": { "type": "timestamp", "format": "epochSeconds" },
              "c": { "type": "timestamp", "format": "iso8601", "enum": ["2024-01-01", 0] } }
            """)
        #expect(s.constraints.map { $0?.format } == [.epochMillis, .epochSeconds, .iso8601])
        #expect(s.constraints(at: 2)?.allowed == [.timestamp(1_704_067_200_000), .timestamp(0)])
    }

    @Test func nullableAloneIsAConstraint() throws {
        let s = try Self.source(#"{ "a": { "type": "int", "nullable": false }, "b": "int" }"#)
        #expect(s.constraints == [FieldConstraints(nullable: false), nil])
        #expect(s.constraints(at: 0)?.checksValues == false)
    }

    /// Every mistake is one line at the JSON path of the key at fault.
    @Test func mistakesNameTheirPath() {
        let text = Self.job("""
            { "a": { "type": "integer" },
              "b": { "min": 0 },
              "c": { "type": "int", "minLenght": 0, "nulable": false },
              "d": { "type": "string", "min": 0, "max": 5, "format": "iso8601" },
              "e": { "type": "int", "pattern": "x", "minLength": 1, "maxLength": 2 },
              "f": { "type": "int", "min": 10, "max": 5 },
              "g": { "type": "int", "min": 0.5, "max": "9" },
              "h": { "type": "float", "min": "0" },
              "i": { "type": "timestamp", "min": "yesterday", "max": true },
              "j": { "type": "string", "enum": ["a", 1, null] },
              "k": { "type": "int", "enum": [] },
              "l": { "type": "string", "minLength": 5, "maxLength": 2 },
              "m": { "type": "string", "minLength": -1, "pattern": "(" },
              "n": { "type": "string", "pattern": "[a-" },
              "o": { "type": "timestamp", "format": "epochMilis" },
              "p": { "type": "timestamp", "format": "%Y-%m-%d %Q" },
              "q": { "type": "timestamp", "format": "%H:%M" },
              "r": { "type": "timestamp", "format": 5 },
              "s": { "type": "bool", "required": "yes", "enum": [1] },
              "t": 5,
              "u": { "type": "float", "max": 1e999 } }
            """)
        #expect(problems(text) == [
            "sources[0].schema.a.type: expected a type (int, float, string, bool or timestamp), got \"integer\"",
            "sources[0].schema.b: missing required key \"type\"",
            "sources[0].schema.c.minLenght: unknown key \"minLenght\" (did you mean \"minLength\"?)",
            "sources[0].schema.c.nulable: unknown key \"nulable\" (did you mean \"nullable\"?)",
            "sources[0].schema.d.min: \"min\" applies only to int, float and timestamp fields, not to a string field",
            "sources[0].schema.d.max: \"max\" applies only to int, float and timestamp fields, not to a string field",
            "sources[0].schema.d.format: \"format\" applies only to timestamp fields, not to a string field",
            "sources[0].schema.e.minLength: \"minLength\" applies only to string fields, not to an int field",
            "sources[0].schema.e.maxLength: \"maxLength\" applies only to string fields, not to an int field",
            "sources[0].schema.e.pattern: \"pattern\" applies only to string fields, not to an int field",
            "sources[0].schema.f.min: \"min\" (10) is greater than \"max\" (5)",
            "sources[0].schema.g.min: expected an integer (the field is int), got 0.5",
            "sources[0].schema.g.max: expected an integer (the field is int), got \"9\"",
            "sources[0].schema.h.min: expected a number (the field is float), got \"0\"",
            "sources[0].schema.i.min: expected epoch milliseconds or an ISO-8601 string like \"2024-01-01T00:00:00Z\" (the field is timestamp), got \"yesterday\"",
            "sources[0].schema.i.max: expected epoch milliseconds or an ISO-8601 string like \"2024-01-01T00:00:00Z\" (the field is timestamp), got true",
            "sources[0].schema.j.enum[1]: expected a string (the field is string), got 1",
            "sources[0].schema.j.enum[2]: expected a string (the field is string), got null",
            "sources[0].schema.k.enum: expected at least one allowed value",
            "sources[0].schema.l.minLength: \"minLength\" (5) is greater than \"maxLength\" (2)",
            "sources[0].schema.m.minLength: expected an integer from 0 to 2147483647, got -1",
            "sources[0].schema.m.pattern: invalid regular expression \"(\": expected ')'",
            "sources[0].schema.n.pattern: invalid regular expression \"[a-\": expected ']'",
            "sources[0].schema.o.format: expected \"epochMillis\", \"epochSeconds\", \"iso8601\" or a pattern like \"%Y-%m-%d %H:%M:%S\", got \"epochMilis\" (did you mean \"epochMillis\"?)",
            "sources[0].schema.p.format: invalid timestamp pattern \"%Y-%m-%d %Q\": unknown directive %Q (supported: %Y %m %d %H %M %S %z %%)",
            "sources[0].schema.q.format: invalid timestamp pattern \"%H:%M\": a pattern needs %Y, %m and %d (missing: %Y, %m, %d)",
            "sources[0].schema.r.format: expected \"epochMillis\", \"epochSeconds\", \"iso8601\" or a pattern like \"%Y-%m-%d %H:%M:%S\", got 5",
            "sources[0].schema.s.required: expected true or false, got \"yes\"",
            "sources[0].schema.s.enum[0]: expected true or false (the field is bool), got 1",
            "sources[0].schema.t: expected a type (int, float, string, bool or timestamp) or an object like {\"type\": \"int\", \"min\": 0}, got 5",
            "sources[0].schema.u.max: expected a finite number, got 1e999",
        ])
    }

    /// A wrong constraint leaves the schema usable: the mistake is reported once, and nothing
    /// downstream is blamed for an unknown field.
    @Test func aWrongConstraintKeepsTheField() {
        let text = JobText.job(
            sources: #"{ "id": "in", "type": "file", "path": "in.jsonl", "schema": { "price": { "type": "int", "min": "x" } } }"#,
            operators: #"{ "id": "f", "type": "filter", "inputs": ["in"], "where": "price > 0" }"#,
            sinks: JobText.stdout("f"))
        #expect(problems(text) == ["sources[0].schema.price.min: expected an integer (the field is int), got \"x\""])
    }

    @Test func timestampPatternDirectives() throws {
        #expect(throws: TimestampPattern.Problem.self) { try TimestampPattern("%Y-%m-%d %H %H") }
        #expect(throws: TimestampPattern.Problem.self) { try TimestampPattern("%Y-%m-%d %") }
        #expect(try TimestampPattern("%d/%m/%Y 100%%").pieces.count == 10)
        #expect(try TimestampFormat("no percent") == nil)
    }

    @Test func planNamesTheConstrainedFields() throws {
        let text = Self.job(#"{ "a": { "type": "int", "min": 0 }, "b": "int", "c": { "type": "string", "nullable": false } }"#)
        let p = try JobLoader.parse(data: Array(text.utf8), file: "job.json")
        #expect(PhysicalPlan(p).describe(p).contains("in [source:file] in.jsonl (jsonl, constraints on a, c)"))
        let plain = try JobLoader.parse(data: Array(Self.job(#"{ "a": "int" }"#).utf8), file: "job.json")
        #expect(!PhysicalPlan(plain).describe(plain).contains("constraints"))
    }

    /// A constrained job is valid for the parser, the validator and docs/job.schema.json alike.
    @Test func constrainedJobFitsTheSchema() throws {
        let text = Self.job("""
            { "price": { "type": "int", "required": true, "nullable": false, "min": 0, "max": 1e9 },
              "url": { "type": "string", "pattern": "https?://.*", "maxLength": 2048 },
              "t": { "type": "timestamp", "format": "%Y-%m-%d %H:%M:%S", "min": "2020-01-01" } }
            """)
        #expect(problems(text) == [])
        let validator = SchemaValidator(root: try JobSchemaTests.schema())
        #expect(validator.errors(try JSONParser.parse(text)) == [])
        let bad = Self.job(#"{ "price": { "type": "int", "minimum": 0 } }"#)
        #expect(validator.errors(try JSONParser.parse(bad)) == ["sources[0]"])
    }
}
