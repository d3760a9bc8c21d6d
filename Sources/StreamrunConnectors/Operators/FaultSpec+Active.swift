import StreamrunCore
import StreamrunIO
import StreamrunPlan

extension FaultSpec {
    /// Whether this fault is in force now: its `while` file exists and the time since the process
    /// started lies in its `after`/`for` span. (`times` is counted by ``FaultCounters/fire(job:fault:limit:)``.)
    func inForce(sinceStartMs: Int64 = FaultCounters.sinceStartMs) -> Bool {
        if let p = whilePath, !FileIO.exists(p) { return false }
        let from = afterMs ?? 0
        if sinceStartMs < from { return false }
        if let span = forMs, sinceStartMs >= from + span { return false }
        return true
    }

    /// Fires the fault if it is in force and has not used up its `times`.
    func fires(job: String, index: Int) -> Bool {
        inForce() && FaultCounters.shared.fire(job: job, fault: index, limit: times)
    }

    /// The error an injected fault throws.
    func error(_ when: String) -> StreamrunError {
        let retry: StreamrunError.RetryClass
        switch errorClass {
        case .transient: retry = .transient
        case .internal: retry = .internal
        case .user: retry = .user
        }
        return StreamrunError(.injectedFault, "injected fault (\(kind.rawValue)) \(when)", retry: retry, location: jsonPath)
    }
}
