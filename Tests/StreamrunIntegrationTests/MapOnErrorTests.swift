import Foundation
import Testing

/// A map with `onError` (issue 12): a cast that fails or a division by zero makes the record bad —
/// dead-lettered with the input record and the operator, skipped and counted, or failing the job.
/// Without `onError` such results stay null, as before.
@Suite struct MapOnErrorTests {
    static let input = """
        {"auction":1,"qty":"2","price":10}
        {"auction":2,"qty":"x","price":10}
        {"auction":3,"qty":"0","price":10}
        {"auction":4,"qty":null,"price":10}
        {"auction":5,"qty":"5","price":10}

        """

    static func job(_ onError: String) -> String {
        """
        { "name": "map-errors", "sources": [{ "id": "bids", "type": "file", "path": "in.jsonl",
            "schema": { "auction": "int", "qty": "string", "price": "int" } }],
          "operators": [{ "id": "m", "type": "map", "inputs": ["bids"],
            "set": { "q": "int(qty)", "unit": "price / int(qty)", "safe": "coalesce(int(qty), 0)" }\(onError) }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["m"], "path": "out" }\(onError.contains("dead-letter") ? #", { "id": "dlq", "type": "file", "path": "dlq" }"# : "")] }
        """
    }

    func run(_ onError: String) throws -> (Harness.Result, URL) {
        let dir = try Harness.tempDir()
        try Harness.write(Self.input, to: dir.appendingPathComponent("in.jsonl"))
        try Harness.write(Self.job(onError), to: dir.appendingPathComponent("job.json"))
        return (try Harness.run(["job.json"], cwd: dir), dir)
    }

    @Test func deadLettersHoldTheInputRecordAndTheOperator() throws {
        let (r, dir) = try run(#", "onError": "dead-letter", "deadLetter": "dlq""#)
        #expect(r.status == 0, "\(r.stderr)")
        let out = Harness.sortedLines(dir.appendingPathComponent("out"))
        #expect(out == [#"{"auction":1,"qty":"2","price":10,"q":2,"unit":5,"safe":2}"#,
                        #"{"auction":4,"qty":null,"price":10,"q":null,"unit":null,"safe":0}"#,
                        #"{"auction":5,"qty":"5","price":10,"q":5,"unit":2,"safe":5}"#])
        let dlq = Harness.sortedLines(dir.appendingPathComponent("dlq"))
        #expect(dlq == [
            #"{"source":"bids","file":null,"offset":null,"line":null,"operator":"m","error":{"field":"q","rule":"expression","message":"field \"q\": int(qty) of \"x\" is not a number that fits"},"raw":"{\"auction\":2,\"qty\":\"x\",\"price\":10}"}"#,
            #"{"source":"bids","file":null,"offset":null,"line":null,"operator":"m","error":{"field":"unit","rule":"expression","message":"field \"unit\": price / … divides by zero"},"raw":"{\"auction\":3,\"qty\":\"0\",\"price\":10}"}"#,
        ])
        #expect(r.stderr.contains("operator m (map): 2 bad records: 2 dead-lettered (expression 2)"), "\(r.stderr)")
    }

    @Test func skippedRecordsAreCountedAndLogged() throws {
        let (r, dir) = try run(#", "onError": "skip""#)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count == 3)
        #expect(r.stderr.contains(#"warning: skipped a bad record at operator "m" (expression): field "q": int(qty) of "x""#), "\(r.stderr)")
        #expect(r.stderr.contains("operator m (map): 2 bad records: 2 skipped (expression 2)"), "\(r.stderr)")
    }

    @Test func failStopsAtTheFirstFailure() throws {
        let (r, dir) = try run(#", "onError": "fail""#)
        #expect(r.status == 1)
        #expect(r.stderr.contains(#"error: operator "m": field "q": int(qty) of "x" is not a number that fits"#), "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).isEmpty)
    }

    @Test func withoutOnErrorFailuresStayNull() throws {
        let (r, dir) = try run("")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count == 5)
    }
}
