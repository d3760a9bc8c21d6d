import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// `streamrun bench`: throughput of the Nexmark query shapes over a bids file, through the same job
/// parser and runtime users get.
///
/// The bids file is written once by the engine itself (generator source → file sink) and reused.
public enum Bench {
    public struct Query: Sendable {
        public var name: String
        public var description: String
        /// The job's operators and sinks, as job.json text (the source is added).
        var operatorsJSON: String
        var sinksJSON: String
    }

    public static let queries: [Query] = [
        Query(name: "q0", description: "passthrough: read every bid, write it back as jsonl",
              operatorsJSON: "[]",
              sinksJSON: #"[{"id": "out", "type": "file", "inputs": ["bids"], "path": "out", "format": "jsonl"}]"#),
        Query(name: "q1", description: "map: price in euros, write jsonl",
              operatorsJSON: #"[{"id": "eur", "type": "map", "inputs": ["bids"], "set": {"price": "price * 0.908"}}]"#,
              sinksJSON: #"[{"id": "out", "type": "file", "inputs": ["eur"], "path": "out", "format": "jsonl"}]"#),
        Query(name: "q2", description: "filter auction % 123 == 0, write csv of auction, price",
              operatorsJSON: #"[{"id": "q2", "type": "filter", "inputs": ["bids"], "where": "auction % 123 == 0"}]"#,
              sinksJSON: #"[{"id": "out", "type": "file", "inputs": ["q2"], "path": "out", "format": "csv", "fields": ["auction", "price"]}]"#),
        Query(name: "q5", description: "tumbling 10 s window, count per auction, write csv",
              operatorsJSON: #"[{"id": "counts", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": {"type": "tumbling", "size": "10s"}, "aggregates": {"count": "count()"}}]"#,
              sinksJSON: #"[{"id": "out", "type": "file", "inputs": ["counts"], "path": "out", "format": "csv"}]"#),
    ]

    static let bidSchemaJSON = #"{"auction": "int", "bidder": "int", "price": "int", "channel": "string", "url": "string", "dateTime": "timestamp", "extra": "string"}"#

    /// The bid schema with constraints a careful user would declare on every field (`--constraints`):
    /// what each check costs on the decoders' path.
    static let constrainedBidSchemaJSON = """
        {"auction": {"type": "int", "required": true, "nullable": false, "min": 0},
         "bidder": {"type": "int", "required": true, "nullable": false, "min": 0},
         "price": {"type": "int", "nullable": false, "min": 0, "max": 1e9},
         "channel": {"type": "string", "nullable": false, "minLength": 1, "maxLength": 64},
         "url": {"type": "string", "maxLength": 2048},
         "dateTime": {"type": "timestamp", "required": true, "nullable": false, "min": "2000-01-01T00:00:00Z"},
         "extra": {"type": "string", "maxLength": 1024}}
        """

    /// The job text for `query` over `input` at `parallelism`; `constraints` declares
    /// ``constrainedBidSchemaJSON`` instead of the plain bid schema.
    public static func job(_ query: Query, input: String, parallelism: Int, checkpointInterval: String? = nil,
                           constraints: Bool = false) -> String {
        let checkpoints = checkpointInterval.map { #""checkpoints": {"dir": "state", "interval": "\#($0)", "retain": 2},"# } ?? ""
        let schema = constraints ? constrainedBidSchemaJSON : bidSchemaJSON
        return """
        {"name": "bench-\(query.name)", "parallelism": \(parallelism), \(checkpoints)
         "sources": [{"id": "bids", "type": "file", "path": "\(input)", "format": "jsonl", "schema": \(schema),
                      "eventTime": {"field": "dateTime", "maxOutOfOrderness": "0s"}}],
         "operators": \(query.operatorsJSON), "sinks": \(query.sinksJSON)}
        """
    }

    /// The input file for `events` bids in `dir`.
    public static func inputPath(events: Int, dir: String) -> String { "\(dir)/bids-\(events).jsonl" }

    /// Writes `events` Nexmark bids (seed 1) to ``inputPath(events:dir:)`` unless it exists (with the
    /// live status line on a terminal when `statusLine`); returns its path.
    public static func prepareInput(events: Int, dir: String, statusLine: Bool = false) async throws(StreamrunError) -> String {
        let path = inputPath(events: events, dir: dir)
        if FileIO.exists(path) { return path }
        let tmp = "\(dir)/.gen-\(events)"
        let text = """
            {"name": "bench-data", "parallelism": 1,
             "sources": [{"id": "bids", "type": "generator", "seed": 1, "count": \(events)}],
             "sinks": [{"id": "gen", "type": "file", "inputs": ["bids"], "path": "\(tmp)", "format": "jsonl", "rollSize": "64GB"}]}
            """
        let plan = try JobLoader.parse(data: Array(text.utf8), file: "bench-data")
        _ = try await JobLauncher(plan: plan, options: .init(jobDirectory: dir)).run(statusLine: statusLine)
        let parts = (FileIO.list(tmp) ?? []).filter { $0.hasPrefix("part-") }.sorted()
        guard parts.count == 1 else { throw StreamrunError(.internalError, "bench data: expected one part file in \(tmp)", retry: .internal) }
        try FileIO.rename("\(tmp)/\(parts[0])", path)
        FileIO.unlink(tmp)
        try? FileIO.removeDirectory(tmp)
        return path
    }

    /// Runs `query` once over `input` and returns the summary (output goes to a scratch directory).
    public static func run(_ query: Query, input: String, parallelism: Int, scratch: String,
                           checkpointInterval: String? = nil, constraints: Bool = false) async throws(StreamrunError) -> RunSummary {
        let text = job(query, input: input, parallelism: parallelism, checkpointInterval: checkpointInterval,
                       constraints: constraints)
        let plan = try JobLoader.parse(data: Array(text.utf8), file: "bench-\(query.name)")
            .resolvingPaths(relativeTo: scratch)
        return try await JobLauncher(plan: plan).run(statusLine: false)
    }
}
