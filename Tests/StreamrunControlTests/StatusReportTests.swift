@testable import StreamrunJob
@testable import StreamrunControl
import Testing

/// `streamrun status` text, computed from samples (no server, no clock).
@Suite struct StatusReportTests {
    static func sample(uptime: Double, bids: Int, out: Int) -> JobStatus {
        JobStatus(job: "q5", state: .running, uptimeSeconds: uptime, restarts: 1,
                  operators: [.init(id: "bids", type: "source:generator", parallelism: 2, recordsIn: 0, recordsOut: bids, watermark: nil,
                                    backpressureMs: 1500),
                              .init(id: "out", type: "sink:file", parallelism: 1, recordsIn: out, recordsOut: 0, watermark: 0,
                                    backpressureMs: 0)],
                  lastCheckpoint: .init(id: 7, kind: "checkpoint", status: .completed, triggeredAtMs: 10_000, durationMs: 12, sizeBytes: 4096),
                  checkpointsDir: "state/q5")
    }

    @Test func ratesFromTwoSamples() {
        let report = StatusReport(status: Self.sample(uptime: 12, bids: 3000, out: 2500), earlier: Self.sample(uptime: 10, bids: 1000, out: 500),
                                  nowMs: 13_000)
        #expect(report.rates()["bids"]?.out == 1000 && report.rates()["out"]?.in == 1000)
        #expect(report.sourceRate() == 1000)
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines[0] == #"job "q5": running, up 12.0 s, 1 restart, 1000 records/s read"#)
        #expect(lines[1].hasPrefix("OPERATOR  TYPE"))
        #expect(lines[2].hasPrefix("bids") && lines[2].contains("1.5 s"))
        #expect(lines[3].contains("1970-01-01T00:00:00.000Z"))
        #expect(lines.last == "last checkpoint: checkpoint 7, took 12 ms, 4096 bytes, triggered 3.0 s ago")
    }

    @Test func ratesFromTotalsWhenCountsWentBack() {
        // A restart resets the counts: fall back to totals over uptime.
        let report = StatusReport(status: Self.sample(uptime: 20, bids: 400, out: 0), earlier: Self.sample(uptime: 10, bids: 5000, out: 0),
                                  nowMs: 0)
        #expect(report.rates()["bids"]?.out == 20)
        #expect(StatusReport(status: Self.sample(uptime: 4, bids: 8, out: 0), nowMs: 0).rates()["bids"]?.out == 2)
    }

    @Test func durations() {
        #expect(StatusReport.duration(7.25) == "7.3 s")
        #expect(StatusReport.duration(125) == "2m 05s")
        #expect(StatusReport.duration(7384) == "2h 03m 04s")
    }
}
