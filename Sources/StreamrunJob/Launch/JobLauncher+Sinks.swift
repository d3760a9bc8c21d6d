import Logging
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

extension JobLauncher {
    /// What the sinks' retries and breakers report (``SinkHealth/Happening``): a log line each, and
    /// the alert events `circuit_open`, then `circuit_closed` when it closes again.
    func sinkHappened(_ h: SinkHealth.Happening) {
        switch h {
        case .retrying(let sink, let subtask, let what, let retry, let limit, let delayMs, let error):
            let of = limit.map { " of \($0)" } ?? ""
            var metadata: Logger.Metadata = ["node": "\(sink)", "attempt": "\(retry)", "delay_ms": "\(delayMs)",
                                             "error.code": "\(error.code)", "error.class": "\(error.retry)"]
            if let subtask { metadata["subtask"] = "\(subtask)" }
            logger.warning("sink \(sink): \(what) failed: \(error.description); retry \(retry)\(of) in \(Durations.format(delayMs))",
                           metadata: metadata)
        case .opened(let sink, let failures, let error, let fallback, let openForMs):
            let cause = error.map { ": \($0.description)" } ?? ""
            let then = fallback.map { "its records go to sink \"\($0)\"" } ?? "the sink waits (its input backs up; nothing is dropped)"
            let message = "sink \(sink): circuit breaker opened after \(failures) consecutive failure\(failures == 1 ? "" : "s")\(cause); "
                + "\(then) and it is probed again in \(Durations.format(openForMs))"
            logger.error("\(message)", metadata: ["node": "\(sink)", "circuit": "open", "error.code": "\(error.map { "\($0.code)" } ?? "")"])
            emit(.circuitOpen, node: sink.name, error: error, attempt: failures, message)
        case .reopened(let sink, let error, let openForMs):
            let cause = error.map { ": \($0.description)" } ?? ""
            logger.info("sink \(sink): the probe failed\(cause); the circuit breaker stays open for \(Durations.format(openForMs))",
                        metadata: ["node": "\(sink)", "circuit": "open"])
        case .halfOpened(let sink):
            logger.info("sink \(sink): circuit breaker half-open: probing the destination", metadata: ["node": "\(sink)", "circuit": "half-open"])
        case .closed(let sink):
            let message = "sink \(sink): circuit breaker closed: the destination works again"
            logger.info("\(message)", metadata: ["node": "\(sink)", "circuit": "closed"])
            emit(.circuitClosed, node: sink.name, resolves: .circuitOpen, message)
        }
    }
}
