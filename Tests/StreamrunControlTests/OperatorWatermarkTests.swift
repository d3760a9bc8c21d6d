import Foundation
import StreamrunControl
import StreamrunCore
import StreamrunJob
import Testing

/// Issue 11, item 17: "`GET /job` and `status` show one subtask's watermark for the whole operator (a
/// generator job showed +∞ with a third of its records still to come)." An operator's watermark is
/// the minimum over its subtasks (those that have one).
@Suite(.serialized) struct OperatorWatermarkTests {
    static func text(name: String) -> String {
        #"""
        { "name": "\#(name)", "parallelism": 2,
          "sources": [{ "id": "events", "type": "file", "path": "in", "format": "jsonl", "follow": true,
                        "schema": { "id": "int", "ts": "int" }, "eventTime": { "field": "ts", "maxOutOfOrderness": "0s" } }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["events"], "path": "out", "format": "jsonl" }] }
        """#
    }

    /// Names of two input files that the two source subtasks read, one each (a followed file goes to
    /// the subtask its path hashes to, as `FileSplits.assignByPath` does).
    static func fileNames(in directory: String) -> (first: String, second: String) {
        func subtask(_ name: String) -> UInt64 {
            var h = StableHash()
            var path = directory + "/" + name
            path.withUTF8 { h.combine(bytes: $0) }
            return h.finalized % 2
        }
        let names = (0..<64).map { "part-\($0).jsonl" }
        let first = names.first { subtask($0) == 0 }!
        let second = names.first { subtask($0) == 1 }!
        return (first, second)
    }

    /// Reproduction: subtask A reads events up to t = 1,000,000 ms and waits; subtask B, whose events
    /// come later, reads up to t = 6,000,000 ms and writes its watermark last. The operator's watermark
    /// stays A's (999,999: the largest event time minus 0 s minus 1 ms), not the last one written.
    @Test func operatorWatermarkIsTheMinimumOverItsSubtasks() async throws {
        var files: (behind: URL, ahead: URL)?
        try await RunningJob.with(name: "watermark-min", text: Self.text(name: "watermark-min"), prepare: { launcher, dir in
            let input = try #require(launcher.plan.spec.sources.first?.path)
            try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
            let (a, b) = Self.fileNames(in: input)
            files = (URL(fileURLWithPath: input + "/" + a), URL(fileURLWithPath: input + "/" + b))
            try Data(#"{"id": 1, "ts": 1000000}"#.utf8 + [10]).write(to: files!.behind)
            try Data().write(to: files!.ahead)
        }) { (job: RunningJob) async throws in
            func source() async throws -> [String: Any] {
                let ops = try await HTTPAnswer.send("GET", job.url + "/job").json()["operators"] as? [[String: Any]] ?? []
                return try #require(ops.first { $0["id"] as? String == "events" })
            }
            _ = try await poll("subtask A's watermark") { try await source()["watermark"] as? Int == 999_999 ? true : nil }
            let ahead = try #require(files?.ahead)
            try append(#"{"id": 2, "ts": 5000000}"#, to: ahead)
            _ = try await poll("subtask B's first record") { try await source()["recordsOut"] as? Int == 2 ? true : nil }
            // Once B's second record is read, B has published the watermark of its first.
            try append(#"{"id": 3, "ts": 6000000}"#, to: ahead)
            let status = try await poll("subtask B's second record") { () -> [String: Any]? in
                let s = try await source()
                return s["recordsOut"] as? Int == 3 ? s : nil
            }
            #expect(status["watermark"] as? Int == 999_999, "\(status)")
            // The same in the metrics: the gauge is the operator's minimum too.
            let metrics = MetricsEndpointTests.parse(try await HTTPAnswer.send("GET", job.url + "/metrics").text).samples
            let gauge = metrics.first { $0.name == JobMetricsBridge.Name.watermark && $0.labels["operator"] == "events" }
            #expect(gauge?.value == 999.999, "\(String(describing: gauge))")
        }
    }

    func append(_ line: String, to file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }
}
