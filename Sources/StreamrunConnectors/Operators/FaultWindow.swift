import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// When an injected fault of the outage kind (`fail-reads`, `fail-writes`, `fail-commits`) fires:
/// on each call it guards, while every condition of its window holds — its `while` file exists,
/// the process has run at least `after` and less than `after` + `for` — and `times` allows another
/// firing (counted per job and fault, in the process, across restarts).
///
/// One per (fault, node) in a reader or writer; cheap to copy. The pure part, ``conditionsHold(_:elapsedMs:whileFileExists:)``,
/// is tested synchronously; ``firesNow()`` adds the file check, the process clock and the count.
struct FaultWindow: Sendable {
    /// The fault's position in the job's `"faults"` (what its count is kept under).
    let index: Int
    let spec: FaultSpec
    let job: String

    init(index: Int, spec: FaultSpec, job: String) {
        self.index = index
        self.spec = spec
        self.job = job
    }

    /// The faults of `kind` on node `node` of `plan`, as windows.
    static func windows(_ plan: JobPlan, node: String, kind: FaultSpec.Kind) -> [FaultWindow] {
        plan.spec.faults.enumerated().filter { $0.element.node == node && $0.element.kind == kind }
            .map { FaultWindow(index: $0.offset, spec: $0.element, job: plan.spec.name) }
    }

    /// Whether `spec`'s window holds `elapsedMs` after the process started, with its `while` file
    /// present or not (`times` aside). Pure.
    static func conditionsHold(_ spec: FaultSpec, elapsedMs: Int64, whileFileExists: Bool) -> Bool {
        if spec.whilePath != nil && !whileFileExists { return false }
        let start = spec.afterMs ?? 0
        if elapsedMs < start { return false }
        if let span = spec.forMs, elapsedMs >= start + span { return false }
        return true
    }

    /// Whether the guarded call fails now: the window holds and `times` allows it (then it counts).
    func firesNow() -> Bool {
        let exists = spec.whilePath.map { FileIO.exists($0) } ?? false
        guard Self.conditionsHold(spec, elapsedMs: FaultCounters.shared.elapsedMs, whileFileExists: exists) else { return false }
        return FaultCounters.shared.fire(job: job, fault: index, limit: spec.times)
    }

    /// The injected failure, with the fault's class: `faults[0]: injected fault (fail-reads) <what>`.
    func error(_ what: String) -> StreamrunError { FaultInjectingOperator.error(spec, what) }
}
