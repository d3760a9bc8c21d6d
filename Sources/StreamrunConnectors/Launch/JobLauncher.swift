#if canImport(Glibc)
import Glibc
#endif
import Logging
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// Runs a validated job to completion: checks inputs and outputs up front, runs the dataflow, then
/// publishes every sink file together — or, on failure, removes everything this run wrote.
public final class JobLauncher: Sendable {
    public let plan: JobPlan
    public let runner: JobRunner
    let committer = FileCommitter()
    let logger: Logger

    public init(plan: JobPlan, logger: Logger = Logger(label: "streamrun")) {
        self.plan = plan
        self.logger = logger
        self.runner = JobRunner(plan: plan, factory: ConnectorFactory(committer: committer))
    }

    /// Asks the job to stop reading and finish (SIGINT / SIGTERM).
    public func requestStop() { runner.requestStop() }

    public func run(statusLine: Bool) async throws(StreamrunError) -> RunSummary {
        try preflight()
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.runner.run() }
                if statusLine {
                    group.addTask { await StatusLine(metrics: self.runner.metrics, plan: self.plan).run() }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            committer.abortAll()
            if statusLine { StatusLine.clear() }
            if let e = error as? StreamrunError { throw e }
            throw StreamrunError(.internalError, "job failed: \(error)", retry: .internal)
        }
        if statusLine { StatusLine.clear() }
        do {
            try committer.commitAll()
        } catch {
            committer.abortAll()
            throw error
        }
        let elapsed = start.duration(to: clock.now)
        let m = runner.metrics
        return RunSummary(
            job: plan.spec.name,
            sources: plan.nodes.compactMap { n in
                guard case .source(let s) = n.kind else { return nil }
                return .init(id: n.id, kind: s.kind.rawValue, records: m[n.id]!.recordsOut.load)
            },
            sinks: plan.nodes.compactMap { n in
                guard case .sink(let s) = n.kind else { return nil }
                return .init(id: n.id, kind: s.spec.kind.rawValue, records: m[n.id]!.recordsIn.load)
            },
            elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            filesCommitted: committer.committedCount)
    }

    /// Fails before any record moves when an input is missing or an output directory is not writable.
    func preflight() throws(StreamrunError) {
        for node in plan.nodes {
            switch node.kind {
            case .source(let s) where s.kind == .file:
                _ = try FileSplits.files(s.path ?? "", jsonPath: s.jsonPath + ".path")
            case .sink(let s) where s.spec.kind == .file:
                let path = s.spec.path ?? "."
                do {
                    try Posix.makeDirectories(path)
                } catch {
                    throw StreamrunError(.writeFailed, error.message, location: s.spec.jsonPath + ".path")
                }
                if let why = Posix.canWrite(in: path) {
                    throw StreamrunError(.writeFailed, "cannot write to directory \(path): \(why)", location: s.spec.jsonPath + ".path")
                }
            default:
                break
            }
        }
    }
}
