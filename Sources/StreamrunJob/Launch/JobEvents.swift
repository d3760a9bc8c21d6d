import StreamrunCore
import StreamrunPlan
import Synchronization

/// Something that happened to a job that a person may need to know (what `"alerts"` send).
public struct JobEvent: Sendable {
    public var event: AlertSpec.Event
    public var job: String
    /// Wall-clock epoch milliseconds (events are about the process, not the data).
    public var timeMs: Int64
    public var message: String
    public var errorCode: String?
    public var errorClass: String?
    public var attempt: Int?
    public var delayMs: Int64?
    public var checkpoint: CheckpointID?
    public var lastCheckpoint: CheckpointID?
    /// The node the event is about (a source that fell back, degraded or rejoined); nil for the job.
    public var node: String?

    public init(event: AlertSpec.Event, job: String, message: String, error: StreamrunError? = nil) {
        self.event = event
        self.job = job
        self.timeMs = WallClock.nowMs()
        self.message = message
        self.errorCode = error.map { "\($0.code)" }
        self.errorClass = error.map { "\($0.retry)" }
    }
}

/// Where a launcher's events go: one subscriber (the alert dispatcher), called on the thread that
/// emits — it must return at once (queue, don't send).
public final class JobEvents: Sendable {
    private let subscriber = Mutex<(@Sendable (JobEvent) -> Void)?>(nil)
    /// Set by a restart until a checkpoint completes again (then `recovered` goes out).
    private let recovering = Mutex<(attempt: Int, cause: String)?>(nil)

    public init() {}

    public func subscribe(_ handler: @escaping @Sendable (JobEvent) -> Void) { subscriber.withLock { $0 = handler } }

    func restarting(attempt: Int, cause: String) { recovering.withLock { $0 = (attempt, cause) } }

    func checkpointCompleted(_ id: CheckpointID, job: String) {
        guard let (attempt, cause) = recovering.withLock({ r -> (Int, String)? in defer { r = nil }; return r }) else { return }
        var e = JobEvent(event: .recovered, job: job, message: "checkpoint \(id) completed after restart \(attempt) (the cause was: \(cause))")
        e.attempt = attempt
        e.checkpoint = id
        e.lastCheckpoint = id
        emit(e)
    }

    func emit(_ event: JobEvent) {
        let handler = subscriber.withLock { $0 }
        handler?(event)
    }
}
