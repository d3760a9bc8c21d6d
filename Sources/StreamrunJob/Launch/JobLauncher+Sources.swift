import Logging
import StreamrunConnectors
import StreamrunCore
import StreamrunPlan
import Synchronization

extension JobLauncher {
    /// What the connectors report about a source's reads (``SourceEvent``): a log line for each, and
    /// the job events alerts are sent for — `source_fallback` when a source first switches,
    /// `source_degraded` when its first subtask degrades and `resolved` when its last one rejoins.
    func sourceHappened(_ e: SourceEvent) {
        let name = "source \"\(e.source)\"" + (sourceParallelism(e.source) > 1 ? " (subtask \(e.subtask))" : "")
        let cause = e.cause ?? "unknown error"
        let metadata: Logger.Metadata = ["node": "\(e.source)", "subtask": "\(e.subtask)"]
        switch e.kind {
        case .retrying(let n, let max, let delay):
            logger.warning("\(name): \(cause); retrying in \(delay) ms (retry \(n) of \(max))", metadata: metadata)
        case .switchedToFallback(let fallback, let path):
            logger.warning("\(name) failed past its retries (\(cause)); switching to its fallback \"\(fallback)\" (\(path))",
                           metadata: metadata)
            if sourceConditions.fellBack(e.source) {
                emit(.sourceFallback, node: e.source, "source \"\(e.source)\" failed past its retries (\(cause)); it reads its fallback \"\(fallback)\" (\(path)) now")
            }
        case .degraded(let delay):
            logger.warning("""
                \(name) failed past its retries (\(cause)); the job goes on degraded without it and retries it in the \
                background (next try in \(delay) ms)
                """, metadata: metadata)
            if sourceConditions.degraded(e.source) {
                emit(.sourceDegraded, node: e.source, "source \"\(e.source)\" failed past its retries (\(cause)); the job runs degraded without it")
            }
        case .stillFailing(let n, let delay):
            logger.info("\(name) is still failing: \(cause); next try in \(delay) ms (background retry \(n))", metadata: metadata)
        case .rejoined:
            logger.warning("\(name) rejoined: it reads again from where it stopped", metadata: metadata)
            if sourceConditions.rejoined(e.source) {
                emit(.resolved, node: e.source, resolves: .sourceDegraded, "source \"\(e.source)\" rejoined: it reads again from where it stopped")
            }
        }
    }

    private func sourceParallelism(_ id: String) -> Int {
        plan.nodes.first { $0.id.name == id }?.parallelism ?? 1
    }
}

/// Per source, what the alerts were told: how many of its subtasks are degraded (the alert goes out
/// with the first, `resolved` with the last), and whether it switched to its fallback.
final class SourceConditions: Sendable {
    private let degradedSubtasks = Mutex<[String: Int]>([:])
    private let fellBackSources = Mutex<Set<String>>([])

    init() {}

    /// A subtask of `source` degraded; true when it is the first.
    func degraded(_ source: String) -> Bool {
        degradedSubtasks.withLock { d in
            d[source, default: 0] += 1
            return d[source] == 1
        }
    }

    /// A degraded subtask of `source` rejoined; true when it was the last.
    func rejoined(_ source: String) -> Bool {
        degradedSubtasks.withLock { d in
            guard let n = d[source], n > 0 else { return false }
            d[source] = n - 1
            return n == 1
        }
    }

    /// A subtask of `source` switched to its fallback; true the first time in this process.
    func fellBack(_ source: String) -> Bool { fellBackSources.withLock { $0.insert(source).inserted } }

    /// A new attempt: its subtasks start reading again (a source still failing degrades again).
    func attemptStarted() { degradedSubtasks.withLock { $0 = [:] } }
}
