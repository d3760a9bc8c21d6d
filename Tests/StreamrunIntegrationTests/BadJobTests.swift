import Foundation
import Testing

/// Malformed job.json files: one readable message per problem, naming its JSON path, exit code 2,
/// no stack trace, and nothing written.
@Suite struct BadJobTests {
    static let source = #"{ "id": "bids", "type": "file", "path": "in.jsonl", "schema": { "auction": "int", "price": "int", "channel": "string" } }"#

    static func job(operators: String = "[]", sinks: String = #"[{ "id": "out", "type": "file", "inputs": ["bids"], "path": "out" }]"#,
                    extra: String = "") -> String {
        #"{ "name": "t", \#(extra) "sources": [\#(source)], "operators": \#(operators), "sinks": \#(sinks) }"#
    }

    static let cases: [(String, String, [String])] = [
        ("unknown field in expression",
         job(operators: #"[{ "id": "m", "type": "map", "inputs": ["bids"], "set": { "price": "prise * 2" } }]"#,
             sinks: #"[{ "id": "out", "type": "file", "inputs": ["m"], "path": "out" }]"#),
         [#"operators[0].set.price: unknown field "prise" (did you mean "price"?)"#]),
        ("unknown input id", job(sinks: #"[{ "id": "out", "type": "file", "inputs": ["q3"], "path": "out" }]"#),
         [#"sinks[0].inputs[0]: "q3" is not a source or operator id"#]),
        ("bad duration", job(extra: #""checkpoints": { "dir": "s", "interval": "ten" },"#),
         [#"checkpoints.interval: expected a duration like "10s", got "ten""#]),
        ("type error", job(operators: #"[{ "id": "f", "type": "filter", "inputs": ["bids"], "where": "channel + 1 > 2" }]"#,
                           sinks: #"[{ "id": "out", "type": "file", "inputs": ["f"], "path": "out" }]"#),
         ["operators[0].where:"]),
        ("cycle", job(operators: #"[{ "id": "a", "type": "filter", "inputs": ["b"], "where": "true" }, { "id": "b", "type": "filter", "inputs": ["a"], "where": "true" }]"#,
                      sinks: #"[{ "id": "out", "type": "file", "inputs": ["a"], "path": "out" }]"#),
         ["cycle"]),
        ("duplicate id", job(operators: #"[{ "id": "bids", "type": "filter", "inputs": ["bids"], "where": "true" }]"#),
         ["duplicate id \"bids\""]),
        ("several problems at once",
         job(operators: #"[{ "id": "f", "type": "fliter", "inputs": ["bids"] }]"#, sinks: #"[{ "id": "out", "type": "file", "inputs": ["zz"], "path": "out" }]"#),
         [#"operators[0].type"#, #"sinks[0].inputs[0]: "zz" is not a source or operator id"#]),
        ("json syntax", #"{ "name": "t", "sources": [ }"#, ["job.json:1:"]),
    ]

    @Test(arguments: 0..<cases.count)
    func reportsPathAndExitsTwo(_ index: Int) throws {
        let (name, text, expected) = Self.cases[index]
        let dir = try Harness.tempDir("bad\(index)")
        try Harness.write(text, to: dir.appendingPathComponent("job.json"))
        try Harness.write(#"{"auction": 1, "price": 2, "channel": "x"}"# + "\n", to: dir.appendingPathComponent("in.jsonl"))
        for command in [["job.json"], ["validate", "job.json"], ["plan", "job.json"]] {
            let r = try Harness.run(command, cwd: dir)
            #expect(r.status == 2, "\(name): \(command) exit \(r.status), stderr: \(r.stderr)")
            for e in expected { #expect(r.stderr.contains(e), "\(name): missing \(e) in: \(r.stderr)") }
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), "\(name): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "\(name): output written")
    }
}
