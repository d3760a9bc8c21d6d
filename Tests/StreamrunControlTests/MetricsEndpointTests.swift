import Foundation
import StreamrunControl
import Testing

/// `GET /metrics` is valid Prometheus text with the expected names and operator labels.
@Suite struct MetricsEndpointTests {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the text format strictly: every line is a comment or `name{labels} value`.
    static func parse(_ text: String) -> (samples: [Sample], bad: [String]) {
        var samples: [Sample] = [], bad: [String] = []
        lines: for line in text.split(separator: "\n").map(String.init) where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                bad.append(line)
                continue
            }
            let series = line[..<space]
            var name = String(series), labels: [String: String] = [:]
            if let open = series.firstIndex(of: "{") {
                guard series.hasSuffix("}") else {
                    bad.append(line)
                    continue
                }
                name = String(series[..<open])
                for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2, kv[1].hasPrefix("\""), kv[1].hasSuffix("\"") else {
                        bad.append(line)
                        continue lines
                    }
                    labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
                }
            }
            if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }) {
                bad.append(line)
                continue
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return (samples, bad)
    }

    @Test func operatorAndCheckpointMetrics() async throws {
        try await RunningJob.with(name: "metrics", checkpoints: true) { job in
            let samples = try await poll("records and a checkpoint in the metrics") { () -> [Sample]? in
                let answer = try await HTTPAnswer.send("GET", job.url + "/metrics")
                #expect(answer.status == 200 && answer.contentType.hasPrefix("text/plain"))
                let (samples, bad) = Self.parse(answer.text)
                #expect(bad.isEmpty, "lines that are not `name{labels} value`: \(bad)")
                let records = samples.first { $0.name == JobMetricsBridge.Name.recordsOut && $0.labels["operator"] == "bids" }?.value ?? 0
                let checkpoints = samples.first { $0.name == JobMetricsBridge.Name.checkpoints }?.value ?? 0
                return records > 0 && checkpoints > 0 ? samples : nil
            }
            func operators(_ name: String) -> Set<String> {
                Set(samples.filter { $0.name == name && $0.labels[JobMetricsBridge.jobLabel] == "metrics" }.compactMap { $0.labels["operator"] })
            }
            for name in [JobMetricsBridge.Name.recordsIn, JobMetricsBridge.Name.recordsOut, JobMetricsBridge.Name.backpressure] {
                #expect(operators(name) == ["bids", "big", "out"], "\(name)")
            }
            let names = Set(samples.map(\.name))
            for name in [JobMetricsBridge.Name.checkpoints, JobMetricsBridge.Name.checkpointFailures, JobMetricsBridge.Name.checkpointSize,
                         JobMetricsBridge.Name.checkpointDuration + "_count", JobMetricsBridge.Name.checkpointDuration + "_sum",
                         JobMetricsBridge.Name.checkpointDuration + "_bucket", JobMetricsBridge.Name.restarts, JobMetricsBridge.Name.uptime] {
                #expect(names.contains(name), "\(name) missing from \(names.sorted())")
            }
            #expect(samples.allSatisfy { $0.labels[JobMetricsBridge.jobLabel] == "metrics" && $0.labels["job"] == nil })
            // Counters copied from the operators' atomics never run ahead of the job's own status.
            let later = try await HTTPAnswer.send("GET", job.url + "/job").json()
            let bids = (later["operators"] as? [[String: Any]])?.first { $0["id"] as? String == "bids" }
            let scraped = samples.first { $0.name == JobMetricsBridge.Name.recordsOut && $0.labels["operator"] == "bids" }!.value
            #expect(Double(bids?["recordsOut"] as? Int ?? 0) >= scraped)
        }
    }

    @Test func parserRejectsMalformedLines() {
        let (samples, bad) = Self.parse("# HELP x\nok{a=\"1\"} 2\nplain 3.5\nnovalue{a=\"1\"}\nbad{a=1} 4\n")
        #expect(samples.map(\.name) == ["ok", "plain"])
        #expect(bad == ["novalue{a=\"1\"}", "bad{a=1} 4"])
    }
}
