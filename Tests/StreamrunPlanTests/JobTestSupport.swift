import StreamrunCore
@testable import StreamrunPlan

/// Builds small jobs for tests and returns their problems as printed lines.
enum JobText {
    static let bidsSchema = """
        { "auction": "int", "bidder": "int", "price": "int", "channel": "string",
          "url": "string", "dateTime": "timestamp", "extra": "string" }
        """

    static let bidsSource = """
        { "id": "bids", "type": "file", "path": "data/bids.jsonl", "schema": \(bidsSchema),
          "eventTime": { "field": "dateTime" } }
        """

    /// A job with `sources`, `operators` and `sinks` given as JSON array bodies (without brackets).
    static func job(sources: String = bidsSource, operators: String = "", sinks: String, top: String = "") -> String {
        """
        { "name": "t", \(top)
          "sources": [\(sources)],
          "operators": [\(operators)],
          "sinks": [\(sinks)] }
        """
    }

    static func stdout(_ inputs: String...) -> String {
        "{ \"id\": \"out\", \"type\": \"stdout\", \"inputs\": [\(inputs.map { "\"\($0)\"" }.joined(separator: ", "))] }"
    }
}

/// Every problem as `path: message`, in reported order.
func problems(_ text: String) -> [String] {
    JobLoader.check(data: Array(text.utf8), file: "job.json").issues.map(\.description)
}

/// The plan of a valid job, or the problems joined for a readable failure.
func plan(_ text: String) -> Result<JobPlan, ProblemList> {
    let (plan, issues) = JobLoader.check(data: Array(text.utf8), file: "job.json")
    if let plan, issues.isEmpty { return .success(plan) }
    return .failure(ProblemList(lines: issues.map(\.description)))
}

struct ProblemList: Error, CustomStringConvertible {
    var lines: [String]
    var description: String { lines.joined(separator: "\n") }
}

/// The spec the parser reads (no validation) and its problems.
func parseSpec(_ text: String) -> (spec: JobSpec, issues: [String]) {
    guard let root = try? JSONParser.parse(text) else { return (JobSpec(name: ""), ["<syntax error>"]) }
    let (spec, issues) = JobParser.parse(root)
    return (spec, issues.map(\.description))
}
