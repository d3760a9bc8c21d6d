import StreamrunCore
import Testing
@testable import StreamrunPlan

@Suite("JSON parser")
struct JobJSONParserTests {
    private func syntaxError(_ text: String) -> String? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func keepsObjectKeyOrder() throws {
        let v = try JSONParser.parse(#"{"z": 1, "a": 2, "m": {"y": true, "b": null}}"#)
        let o = try #require(v.object)
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["m"]?.object?.keys == ["y", "b"])
        #expect(o["m"]?.object?["b"]?.isNull == true)
        #expect(o["q"] == nil)
    }

    @Test func recordsLineAndColumnOfEveryValue() throws {
        let v = try JSONParser.parse("{\n  \"a\": [1,\n    \"é\", \"x\"]\n}")
        #expect((v.line, v.column) == (1, 1))
        let a = try #require(v.object?["a"])
        #expect((a.line, a.column) == (2, 8))
        let items = try #require(a.array)
        #expect((items[0].line, items[0].column) == (2, 9))
        #expect((items[1].line, items[1].column) == (3, 5))
        // Columns count characters, not bytes: "é" is two bytes.
        #expect((items[2].line, items[2].column) == (3, 10))
    }

    /// Columns are counted on from the previous value (a 100 KB one-line job.json took 80 s when each
    /// value's column was counted from the start of the line); they stay exact, in characters.
    @Test func columnsOnOneLongLineAreExact() throws {
        let items = (0..<20_000).map { $0 % 3 == 0 ? "\"é\"" : "1" }
        let v = try JSONParser.parse("[" + items.joined(separator: ",") + "]")
        let values = try #require(v.array)
        var column = 2
        for (k, value) in values.enumerated() {
            #expect(value.column == column, "value \(k)")
            column += (k % 3 == 0 ? 3 : 1) + 1
        }
        #expect(syntaxError("[" + items.joined(separator: ",") + ",]") == "1:\(column): trailing comma before ']'")
    }

    @Test func numbersKeepIntAndDouble() throws {
        let v = try JSONParser.parse("[0, -12, 9223372036854775807, 2.0, 2.5, 1e3, 1e30, -0.5E-2]")
        let n = try #require(v.array).map { $0.number! }
        #expect(n.map(\.int) == [0, -12, Int64.max, 2, nil, 1000, nil, nil])
        #expect(n.map(\.double) == [0, -12, 9.223372036854775807e18, 2, 2.5, 1000, 1e30, -0.005])
        #expect(n[4].text == "2.5")
    }

    @Test func stringsDecodeEscapes() throws {
        let v = try JSONParser.parse(#"["a\"b\\c\/d\n\t", "\u00e9\u20AC", "\ud83d\ude00", "naïve"]"#)
        #expect(v.array?.map { $0.string! } == ["a\"b\\c/d\n\t", "é€", "😀", "naïve"])
    }

    @Test func literalsAndBOM() throws {
        let v = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(" [true, false, null] ".utf8))
        #expect(v.array?.map(\.kind) == [.bool(true), .bool(false), .null])
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        #expect(syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}") == "3:3: expected ',' or '}' after object member")
        #expect(syntaxError("[1 2]") == "1:4: expected ',' or ']' after array element")
        #expect(syntaxError("{\"a\": 1,}") == "1:9: trailing comma before '}'")
        #expect(syntaxError("[1,]") == "1:4: trailing comma before ']'")
        #expect(syntaxError("{\"a\" 1}") == "1:6: expected ':' after object key \"a\"")
        #expect(syntaxError("{a: 1}") == "1:2: expected a string key, got 'a'")
        #expect(syntaxError("[01]") == "1:2: invalid number: no leading zeros")
        #expect(syntaxError("[1.]") == "1:4: invalid number: expected a digit after '.'")
        #expect(syntaxError("\"abc") == "1:5: unterminated string")
        #expect(syntaxError("[\"a\\q\"]") == "1:4: invalid escape '\\q' in string")
        #expect(syntaxError("[\"\\ud800\"]") == "1:3: lone surrogate \\uD800 in string")
        #expect(syntaxError("{} x") == "1:4: unexpected 'x' after the JSON value")
        #expect(syntaxError("") == "1:1: unexpected end of input: expected a value")
        #expect(syntaxError("[tru]") == "1:2: expected a value, got 't'")
        #expect(syntaxError("[NaN]") == "1:2: expected a value, got 'N'")
        #expect(syntaxError("// c\n{}") == "1:1: expected a value, got '/'")
    }

    @Test func duplicateKeysAreAnError() {
        #expect(syntaxError("{\"id\": 1,\n \"id\": 2}") == "2:2: duplicate key \"id\" (first at 1:2)")
        // The same key in different objects is fine.
        #expect(syntaxError(#"[{"id": 1}, {"id": 2}]"#) == nil)
    }

    @Test func rejectsInvalidUTF8AndControlCharacters() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(syntaxError("[\"a\tb\"]") == "1:4: control character in string: write it as an escape like \\t or \\u0001")
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(syntaxError(deep) == "1:257: nesting deeper than 256 levels")
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(syntaxError(ok) == nil)
    }

    @Test func loaderReportsSyntaxErrorsWithFileLineAndColumn() {
        let text = "{\n  \"name\": \"x\"\n  \"sources\": []\n}"
        #expect(problems(text) == ["job.json:3:3: expected ',' or '}' after object member"])
        do {
            _ = try JobLoader.parse(data: Array(text.utf8), file: "jobs/q5.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidJob)
            #expect(error.message == "jobs/q5.json: 1 problem found\n  jobs/q5.json:3:3: expected ',' or '}' after object member")
        }
    }

    @Test func loaderReportsMissingFiles() {
        do {
            _ = try JobLoader.load(path: "/nonexistent/job.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .inputNotFound)
            #expect(error.message == "cannot read job file /nonexistent/job.json: No such file or directory")
        }
    }
}
