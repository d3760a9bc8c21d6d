#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// The live one-line status on a terminal's stderr: records/s in and out and the current watermark.
struct StatusLine {
    let metrics: JobMetrics
    let plan: JobPlan

    func run() async {
        var lastIn = 0, lastOut = 0
        let clock = ContinuousClock()
        var last = clock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return }
            let now = clock.now
            let dt = Double(last.duration(to: now).components.attoseconds) / 1e18 + Double(last.duration(to: now).components.seconds)
            last = now
            let recIn = total(sources: true)
            let recOut = total(sources: false)
            let wm = plan.nodes.compactMap { n -> Watermark? in
                if case .source = n.kind, let m = metrics[n.id]?.watermark.load, m != Watermark.min { return m }
                return nil
            }.min()
            let text = "in \(RunSummary.rate(Double(recIn - lastIn) / dt))/s  out \(RunSummary.rate(Double(recOut - lastOut) / dt))/s"
                + "  total \(recIn) → \(recOut)  watermark \(wm.map(Watermark.describe) ?? "-")"
            lastIn = recIn
            lastOut = recOut
            Self.write("\r\u{1B}[2K" + text)
        }
    }

    /// Records read by all sources, or written by all sinks.
    private func total(sources: Bool) -> Int {
        plan.nodes.reduce(0) { acc, n in
            switch n.kind {
            case .source where sources: return acc + metrics[n.id]!.recordsOut.load
            case .sink where !sources: return acc + metrics[n.id]!.recordsIn.load
            default: return acc
            }
        }
    }

    static func clear() { write("\r\u{1B}[2K") }

    static func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = systemWrite(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
