import StreamrunJob
import StreamrunCore

/// `streamrun status` as text: the job's state, uptime and restarts, a table of operators with their
/// records per second, and the last checkpoint.
///
/// Rates come from two samples of ``JobStatus`` (the difference of the totals over the difference of
/// the uptimes); with one sample, or when the counts went back (a restart), from totals over uptime.
public struct StatusReport: Sendable {
    public var status: JobStatus
    public var earlier: JobStatus?
    /// Wall-clock now (epoch ms), to say how old the last checkpoint is.
    public var nowMs: Int64

    public init(status: JobStatus, earlier: JobStatus? = nil, nowMs: Int64) {
        self.status = status
        self.earlier = earlier
        self.nowMs = nowMs
    }

    /// Records per second into and out of each operator, by id.
    public func rates() -> [NodeID: (in: Double, out: Double)] {
        var out: [NodeID: (in: Double, out: Double)] = [:]
        let before = Dictionary((earlier?.operators ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for op in status.operators {
            let span = status.uptimeSeconds - (earlier?.uptimeSeconds ?? 0)
            if let b = before[op.id], span > 0, op.recordsIn >= b.recordsIn, op.recordsOut >= b.recordsOut {
                out[op.id] = (Double(op.recordsIn - b.recordsIn) / span, Double(op.recordsOut - b.recordsOut) / span)
            } else if status.uptimeSeconds > 0 {
                out[op.id] = (Double(op.recordsIn) / status.uptimeSeconds, Double(op.recordsOut) / status.uptimeSeconds)
            } else {
                out[op.id] = (0, 0)
            }
        }
        return out
    }

    /// Records per second read by all sources together.
    public func sourceRate() -> Double {
        let r = rates()
        return status.operators.filter { $0.type.hasPrefix("source:") }.reduce(0) { $0 + (r[$1.id]?.out ?? 0) }
    }

    public var text: String {
        let s = status
        var lines = ["job \"\(s.job)\": \(s.stateText), up \(Self.duration(s.uptimeSeconds)), "
            + "\(s.restarts) restart\(s.restarts == 1 ? "" : "s"), \(Self.number(sourceRate())) records/s read"]
        let r = rates()
        let header = ["OPERATOR", "TYPE", "PARALLELISM", "RECORDS IN", "RECORDS OUT", "IN/S", "OUT/S", "WATERMARK", "BACKPRESSURE"]
        let rows = s.operators.map { op in
            [op.id.name, op.type, String(op.parallelism), String(op.recordsIn), String(op.recordsOut),
             Self.number(r[op.id]?.in ?? 0), Self.number(r[op.id]?.out ?? 0),
             op.watermark.map(Watermark.describe) ?? "-", Self.duration(Double(op.backpressureMs) / 1000)]
        }
        if !rows.isEmpty { lines.append(Self.table(header: header, rows: rows, rightAligned: [2, 3, 4, 5, 6, 8])) }
        lines += badRecords
        lines += sourceHealth
        lines += sinkHealth
        lines.append(lastCheckpoint)
        return lines.joined(separator: "\n")
    }

    /// One line per operator with bad records: `bids: 5 dead-lettered, 2 skipped (syntax 4, type 3)`.
    var badRecords: [String] {
        status.operators.filter { $0.deadLettered + $0.skipped > 0 }.map { op in
            let rules = op.badRecords.map { ($0.rule, $0.deadLettered + $0.skipped) }
            return "bad records at \(op.id): " + RunSummary.badRecordsText(deadLettered: op.deadLettered, skipped: op.skipped, rules: rules)
        }
    }

    /// One line per source that retried reads, is degraded or reads its fallback:
    /// `source bids: degraded, 12 read retries`.
    var sourceHealth: [String] {
        status.operators.compactMap { op in
            var parts: [String] = []
            if op.degraded == true { parts.append("degraded") }
            if op.onFallback == true { parts.append("reads its fallback") }
            if let n = op.readRetries, n > 0 { parts.append("\(n) read retr\(n == 1 ? "y" : "ies")") }
            return parts.isEmpty ? nil : "source \(op.id): " + parts.joined(separator: ", ")
        }
    }

    /// One line per sink with a breaker or retries: `sink out: circuit open (5 consecutive failures), 12 retries, 300 records to backup`.
    var sinkHealth: [String] {
        status.sinks.filter { $0.circuit != nil || $0.retries > 0 }.map { sink in
            var parts: [String] = []
            if let c = sink.circuit {
                parts.append("circuit \(c.rawValue)" + (c == .closed ? "" : " (\(sink.consecutiveFailures) consecutive failures)"))
            }
            parts.append("\(sink.retries) retr\(sink.retries == 1 ? "y" : "ies")")
            if let f = sink.fallback { parts.append("\(sink.fallbackRecords) record\(sink.fallbackRecords == 1 ? "" : "s") to \(f)") }
            if sink.circuit != .closed, sink.circuit != nil, let e = sink.lastError { parts.append("last error: \(e)") }
            return "sink \(sink.id): " + parts.joined(separator: ", ")
        }
    }

    var lastCheckpoint: String {
        guard status.checkpointsDir != nil else { return "checkpoints: none (the job has no checkpoints.dir)" }
        guard let c = status.lastCheckpoint else { return "last checkpoint: none yet" }
        var parts = ["\(c.kind) \(c.id)"]
        if let d = c.durationMs { parts.append("took \(d) ms") }
        if let size = c.sizeBytes { parts.append("\(size) bytes") }
        parts.append("triggered \(Self.duration(Double(max(0, nowMs - c.triggeredAtMs)) / 1000)) ago")
        return "last checkpoint: " + parts.joined(separator: ", ")
    }

    /// "2h 03m 04s", "5m 06s", "7.2 s".
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole >= 3600 { return "\(whole / 3600)h \(pad(whole % 3600 / 60))m \(pad(whole % 60))s" }
        if whole >= 60 { return "\(whole / 60)m \(pad(whole % 60))s" }
        return "\(Int((seconds * 10).rounded()) / 10).\(Int((seconds * 10).rounded()) % 10) s"
    }

    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }

    /// One decimal below 100, whole numbers above.
    static func number(_ v: Double) -> String {
        if v >= 100 { return String(Int(v.rounded())) }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                if c == row.count - 1 && !rightAligned.contains(c) { return cell }
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
