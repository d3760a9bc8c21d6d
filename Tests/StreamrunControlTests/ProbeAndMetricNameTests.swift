import Foundation
import StreamrunControl
import StreamrunCore
import Testing

/// Issue 11, item 22: every series carried the label `job` (which Prometheus renames to
/// `exported_job`), no metric had HELP text, late and deduplicated counts were not exported, the
/// watermark gauge was not named `…_timestamp_seconds`, and there were no liveness and readiness
/// routes.
@Suite(.serialized) struct ProbeAndMetricNameTests {
    static func text(name: String, count: Int, throttled: Bool) -> String {
        #"""
        { "name": "\#(name)",
          "sources": [{ "id": "bids", "type": "generator", "seed": 3, "count": \#(count),
                        \#(throttled ? #""maxRecordsPerSecond": 2000,"# : "")
                        "eventTime": { "field": "dateTime", "maxOutOfOrderness": "0s" } }],
          "operators": [
            { "id": "per-auction", "type": "window", "inputs": ["bids"], "keyBy": ["auction"],
              "window": { "type": "tumbling", "size": "1s" }, "aggregates": { "n": "count()" } },
            { "id": "first-bid", "type": "dedupe", "inputs": ["bids"], "keyBy": ["bidder"], "within": "10s" } ],
          "sinks": [
            { "id": "windows", "type": "file", "inputs": ["per-auction"], "path": "out/windows", "format": "jsonl" },
            { "id": "bidders", "type": "file", "inputs": ["first-bid"], "path": "out/bidders", "format": "jsonl" } ] }
        """#
    }

    /// Every metric has HELP text, every series `job_name` and none `job`; late records (windows),
    /// duplicates (dedupes) and the watermark (`streamrun_watermark_timestamp_seconds`) are exported.
    @Test func metricsCarryJobNameHelpLateDuplicatesAndTheWatermarkTimestamp() async throws {
        let text = Self.text(name: "metric-names", count: 1_000_000, throttled: true)
        try await RunningJob.with(name: "metric-names", text: text) { (job: RunningJob) async throws in
            typealias Name = JobMetricsBridge.Name
            let text = try await poll("a watermark in the metrics") { () -> String? in
                let text = try await HTTPAnswer.send("GET", job.url + "/metrics").text
                return text.contains(Name.watermark + "{") ? text : nil
            }
            let (samples, bad) = MetricsEndpointTests.parse(text)
            #expect(bad.isEmpty, "\(bad)")
            #expect(samples.allSatisfy { $0.labels[JobMetricsBridge.jobLabel] == "metric-names" && $0.labels["job"] == nil },
                    "\(samples.filter { $0.labels["job_name"] == nil || $0.labels["job"] != nil })")
            // A HELP line for every TYPE line.
            let lines = text.split(separator: "\n")
            let typed = Set(lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
            let helped = Set(lines.filter { $0.hasPrefix("# HELP ") && $0.split(separator: " ").count > 3 }.map { $0.split(separator: " ")[2] })
            #expect(!typed.isEmpty && typed == helped, "TYPE without HELP: \(typed.subtracting(helped))")
            func operators(_ name: String) -> Set<String> { Set(samples.filter { $0.name == name }.compactMap { $0.labels["operator"] }) }
            #expect(operators(Name.lateRecords) == ["per-auction"])
            #expect(operators(Name.duplicates) == ["first-bid"])
            #expect(operators(Name.watermark).contains("bids"))
            #expect(!text.contains("streamrun_watermark_seconds"))
        }
    }

    /// `GET /ping` answers while the process serves; `GET /ready` is 200 while the job runs and 503
    /// with the state once it has finished.
    @Test func pingAndReadyAnswerLivenessAndReadiness() async throws {
        let text = Self.text(name: "probes", count: 2000, throttled: false)
        try await RunningJob.with(name: "probes", text: text) { (job: RunningJob) async throws in
            let ping = try await HTTPAnswer.send("GET", job.url + "/ping")
            #expect(ping.status == 200 && ping.contentType == "application/json", "\(ping.text)")
            let finished = try await poll("the job to finish") { () -> HTTPAnswer? in
                let ready = try await HTTPAnswer.send("GET", job.url + "/ready")
                let state = try ready.json()["state"] as? String
                #expect(ready.status == (state == "running" ? 200 : 503), "\(ready.text)")
                return state == "finished" ? ready : nil
            }
            #expect(finished.status == 503)
            #expect(try finished.json()["ready"] as? Bool == false)
            #expect(try await HTTPAnswer.send("GET", job.url + "/ping").status == 200)
        }
    }
}
