import Foundation
import StreamrunCore
import Testing
@testable import StreamrunPlan

/// Keeps `docs/job.schema.json` and `docs/job-json.md` in step with the parser.
@Suite("job.json schema and docs")
struct JobSchemaTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs")

    static func schema() throws -> JSONObject {
        let data = try Data(contentsOf: docs.appendingPathComponent("job.schema.json"))
        return try #require(try JSONParser.parse(Array(data)).object)
    }

    @Test func propertyNamesMatchAcceptedKeys() throws {
        let root = try Self.schema()
        let defs = try #require(root["$defs"]?.object)
        #expect(Set(root["properties"]?.object?.keys ?? []) == JobParser.acceptedKeys["job"])
        for (kind, keys) in JobParser.acceptedKeys where kind != "job" {
            let properties = defs[kind]?.object?["properties"]?.object?.keys ?? []
            #expect(Set(properties) == keys, "$defs.\(kind).properties")
            #expect(defs[kind]?.object?["additionalProperties"]?.bool == false, "$defs.\(kind) rejects unknown keys")
        }
        // Every closed object in the schema is a kind the parser knows.
        let closed = defs.members.filter { $0.value.object?["additionalProperties"]?.bool == false }.map(\.key)
        #expect(Set(closed) == Set(JobParser.acceptedKeys.keys).subtracting(["job"]))
    }

    @Test func enumsMatchTheModel() throws {
        let defs = try #require(try Self.schema()["$defs"]?.object)
        func values(_ name: String) -> [String] {
            defs[name]?.object?["properties"]?.object?["type"]?.object?["enum"]?.array?.compactMap(\.string) ?? []
        }
        #expect(values("source") == SourceSpec.Kind.allCases.map(\.rawValue))
        #expect(values("operator") == OperatorSpec.Kind.allCases.map(\.rawValue))
        #expect(values("sink") == SinkSpec.Kind.allCases.map(\.rawValue))
        #expect(values("window") == JobReader.WindowType.allCases.map(\.rawValue))
        #expect(defs["fieldType"]?.object?["enum"]?.array?.compactMap(\.string) == FieldType.allCases.map(\.rawValue))
        #expect(defs["format"]?.object?["enum"]?.array?.compactMap(\.string) == DataFormat.allCases.map(\.rawValue))
    }

    @Test func contractExampleFitsTheSchema() throws {
        let validator = SchemaValidator(root: try Self.schema())
        #expect(validator.errors(try JSONParser.parse(JobParserTests.example)) == [])
    }

    @Test func schemaRejectsWhatTheParserRejects() throws {
        let validator = SchemaValidator(root: try Self.schema())
        let bad = JobText.job(operators: #"{ "id": "q", "type": "filter", "inputs": ["bids"], "wehre": "x" }"#,
                              sinks: #"{ "id": "o", "type": "stdout", "inputs": ["q"], "path": "x" }"#, top: #""parallelism": 0,"#)
        #expect(validator.errors(try JSONParser.parse(bad)) == ["parallelism", "operators[0]", "sinks[0]"])
        #expect(!problems(bad).isEmpty)
    }

    /// Every complete job in the reference (a ```json block with "sinks") is valid for the parser,
    /// the validator and the schema.
    @Test func referenceExamplesAreValid() throws {
        let text = try String(contentsOf: Self.docs.appendingPathComponent("job-json.md"), encoding: .utf8)
            .components(separatedBy: "## Error messages")[0]
        let blocks = text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let jobs = blocks.filter { $0.contains("\"sinks\"") }
        #expect(jobs.count >= 3)
        let validator = SchemaValidator(root: try Self.schema())
        for job in jobs {
            #expect(problems(job) == [], "\(job)")
            #expect(validator.errors(try JSONParser.parse(job)) == [], "\(job)")
        }
    }

    /// The jobs under examples/ load and fit the schema.
    @Test func repositoryExamplesAreValid() throws {
        let examples = Self.docs.deletingLastPathComponent().appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        let validator = SchemaValidator(root: try Self.schema())
        for name in names.sorted() {
            let file = examples.appendingPathComponent(name).appendingPathComponent("job.json")
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            #expect(problems(String(decoding: data, as: UTF8.self)) == [], "\(name)")
            #expect(validator.errors(try JSONParser.parse(Array(data))) == [], "\(name)")
        }
    }

    /// The schema's duration pattern accepts exactly what the parser's grammar accepts.
    @Test func durationPatternMatchesTheGrammar() throws {
        let defs = try #require(try Self.schema()["$defs"]?.object)
        let pattern = try #require(defs["duration"]?.object?["pattern"]?.string)
        let zero = try #require(defs["positiveDuration"]?.object?["not"]?.object?["pattern"]?.string)
        let samples = ["0", "0s", "250ms", "10s", "5m", "1h", "2d", "1m30s", "1h2m3s", "1s500ms", "1d0h", "0m0s", " 1s", "1s ", "10S",
                       "01s", "1m05s", "30s1m", "1s1s", "1ms1s", "1.5s", "", "s", "ms", "10", "1m 30s", "1M"]
        for s in samples {
            #expect(SchemaValidator.matches(s, pattern) == (Durations.parse(s) != nil), "\(s.debugDescription)")
            if Durations.parse(s) != nil { #expect(SchemaValidator.matches(s, zero) == (Durations.parse(s) == 0), "\(s)") }
        }
        let nul = try #require(defs["fileSource"]?.object?["properties"]?.object?["path"]?.object?["pattern"]?.string)
        #expect(SchemaValidator.matches("data/x", nul) && !SchemaValidator.matches("a\u{0}b", nul))
    }

    @Test func referenceErrorSamplesAreReal() throws {
        // The "Error messages" section quotes this job's output verbatim.
        let text = try String(contentsOf: Self.docs.appendingPathComponent("job-json.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Error messages").last)
        let blocks = section.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let job = try #require(blocks.first { $0.hasPrefix("json\n") }).dropFirst(5)
        let output = try #require(blocks.first { $0.hasPrefix("text\n") }).dropFirst(5)
        do {
            _ = try JobLoader.parse(data: Array(job.utf8), file: "job.json")
            Issue.record("the sample job should be invalid")
        } catch {
            #expect(error.description + "\n" == String(output))
        }
    }
}

/// A small JSON Schema checker covering the keywords job.schema.json uses; returns the paths of
/// objects or values that do not fit.
struct SchemaValidator {
    let root: JSONObject

    func errors(_ value: JSONValue) -> [String] {
        var out: [String] = []
        check(value, JSONValue(.object(root)), "", &out)
        return out
    }

    private func resolve(_ schema: JSONValue) -> JSONObject {
        guard let o = schema.object else { return JSONObject() }
        guard let ref = o["$ref"]?.string else { return o }
        let name = String(ref.dropFirst("#/$defs/".count))
        var merged = root["$defs"]?.object?[name].map(resolve) ?? JSONObject()
        merged.members += o.members.filter { $0.key != "$ref" }
        return merged
    }

    private func fits(_ value: JSONValue, _ schema: JSONValue) -> Bool {
        var out: [String] = []
        check(value, schema, "", &out)
        return out.isEmpty
    }

    private func check(_ value: JSONValue, _ schemaValue: JSONValue, _ path: String, _ out: inout [String]) {
        let s = resolve(schemaValue)
        var ok = true
        if let t = s["type"]?.string { ok = ok && Self.hasType(value, t) }
        if let e = s["enum"]?.array { ok = ok && e.contains { $0.kind == value.kind } }
        if let c = s["const"] { ok = ok && c.kind == value.kind }
        if let str = value.string {
            let n = str.unicodeScalars.count
            if let m = s["minLength"]?.number?.int { ok = ok && n >= m }
            if let m = s["maxLength"]?.number?.int { ok = ok && n <= m }
            if let p = s["pattern"]?.string { ok = ok && Self.matches(str, p) }
        }
        if let d = value.number?.double {
            if let m = s["minimum"]?.number?.double { ok = ok && d >= m }
            if let m = s["maximum"]?.number?.double { ok = ok && d <= m }
            if let m = s["exclusiveMinimum"]?.number?.double { ok = ok && d > m }
        }
        if let not = s["not"] { ok = ok && !fits(value, not) }
        if let any = s["anyOf"]?.array { ok = ok && any.contains { fits(value, $0) } }
        if let one = s["oneOf"]?.array { ok = ok && one.filter { fits(value, $0) }.count == 1 }
        if !ok {
            out.append(path)
            return
        }
        if let o = value.object {
            let properties = s["properties"]?.object ?? JSONObject()
            let patterns = s["patternProperties"]?.object ?? JSONObject()
            for key in s["required"]?.array?.compactMap(\.string) ?? [] where o[key] == nil {
                out.append(path)
                return
            }
            if let m = s["minProperties"]?.number?.int, o.members.count < m {
                out.append(path)
                return
            }
            for m in o.members {
                let p = JobReader.join(path, m.key)
                if let ps = properties[m.key] {
                    check(m.value, ps, p, &out)
                } else if patterns.members.contains(where: { Self.matches(m.key, $0.key) }) {
                    continue
                } else if let extra = s["additionalProperties"] {
                    if extra.bool == false {
                        out.append(path)
                        return
                    }
                    if extra.object != nil { check(m.value, extra, p, &out) }
                }
            }
        }
        if let a = value.array {
            if let m = s["minItems"]?.number?.int, a.count < m { out.append(path) }
            if let items = s["items"] {
                for (i, e) in a.enumerated() { check(e, items, path + "[\(i)]", &out) }
            }
        }
    }

    static func hasType(_ v: JSONValue, _ t: String) -> Bool {
        switch (t, v.kind) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("number", .number): return true
        case ("integer", .number(let n)): return n.int != nil
        default: return false
        }
    }

    static func matches(_ s: String, _ pattern: String) -> Bool {
        guard let r = try? Regex(pattern) else { return false }
        return s.contains(r)
    }
}
