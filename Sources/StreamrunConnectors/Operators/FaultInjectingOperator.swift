import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Synchronization

/// Wraps an operator or sink writer with the job's faults on its node (`"faults"`, `--allow-faults`):
/// fails it after every `every` records its subtasks took in together, or while it takes checkpoint
/// N, at most `times` times in this process — counts survive restarts, so a fault that fires once
/// heals after one restart.
final class FaultInjectingOperator: StreamOperator {
    let inner: any StreamOperator
    let faults: [FaultWindow]

    init(_ inner: any StreamOperator, faults: [FaultWindow]) {
        self.inner = inner
        self.faults = faults
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        for w in faults where w.spec.kind == .failRecord {
            let every = w.spec.every
            let (old, new) = FaultCounters.shared.addRecords(job: w.job, fault: w.index, batch.count)
            if new / every > old / every, w.firesNow() { throw w.error("after \(new / every * every) records") }
        }
        try await inner.process(batch, context: context)
    }

    func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws {
        try await inner.processWatermark(watermark, context: context)
    }

    func finish(context: OperatorContext) async throws { try await inner.finish(context: context) }

    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        for w in faults where w.spec.kind == .failCheckpoint && w.spec.checkpoint == id.value && w.firesNow() {
            throw w.error("at checkpoint \(id)")
        }
        return try await inner.snapshotState(checkpoint: id, context: context)
    }

    static func error(_ f: FaultSpec, _ when: String) -> StreamrunError {
        let retry: StreamrunError.RetryClass
        switch f.errorClass {
        case .transient: retry = .transient
        case .internal: retry = .internal
        case .user: retry = .user
        }
        return StreamrunError(.injectedFault, "injected fault (\(f.kind.rawValue)) \(when)", retry: retry, location: f.jsonPath)
    }
}

/// The process-wide counts behind injected faults, by job and fault, and the clock of their
/// `after`/`for` windows.
final class FaultCounters: Sendable {
    static let shared = FaultCounters()
    private let records = Mutex<[String: Int]>([:])
    private let fired = Mutex<[String: Int]>([:])
    /// When the process started, as far as faults tell: the first use of the counters (the
    /// connector factory of a job with faults touches them as it is made).
    private let start = ContinuousClock.now

    /// Milliseconds since ``start``.
    var elapsedMs: Int64 { Int64(start.duration(to: .now) / .milliseconds(1)) }

    /// Adds `n` records; the totals before and after.
    func addRecords(job: String, fault: Int, _ n: Int) -> (Int, Int) {
        records.withLock { r in
            let old = r["\(job)#\(fault)", default: 0]
            r["\(job)#\(fault)"] = old + n
            return (old, old + n)
        }
    }

    /// Whether the fault may fire once more (and counts it).
    func fire(job: String, fault: Int, limit: Int?) -> Bool {
        fired.withLock { f in
            let k = "\(job)#\(fault)"
            if let limit, f[k, default: 0] >= limit { return false }
            f[k, default: 0] += 1
            return true
        }
    }
}
