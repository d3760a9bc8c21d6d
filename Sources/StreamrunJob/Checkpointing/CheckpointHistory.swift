import StreamrunCore
import Synchronization

/// What the coordinator did with each checkpoint and savepoint of this process: for `GET /checkpoints`,
/// `streamrun status`, the metrics and the run summary. Durations are measured from the trigger to the
/// published manifest (and the sinks' commit).
public final class CheckpointHistory: Sendable {
    public struct Entry: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Codable { case inProgress = "in_progress", completed, failed, abandoned }
        public var id: CheckpointID
        /// `checkpoint` or `savepoint`.
        public var kind: String
        public var status: Status
        /// Wall-clock trigger time (epoch ms), for people; never used for data.
        public var triggeredAtMs: Int64
        public var durationMs: Int64?
        /// Bytes of state files and manifest on disk.
        public var sizeBytes: Int64?
        /// The savepoint's directory, for savepoints.
        public var path: String?
        public var failure: String?
    }

    private struct State {
        var entries: [Entry] = []
        var started: [CheckpointID: ContinuousClock.Instant] = [:]
        var failures = 0
    }

    private let state = Mutex(State())
    /// How many entries are kept (oldest dropped first).
    let limit: Int

    public init(limit: Int = 100) { self.limit = limit }

    func triggered(_ id: CheckpointID, kind: String, atMs: Int64, path: String? = nil) {
        state.withLock { s in
            s.entries.append(Entry(id: id, kind: kind, status: .inProgress, triggeredAtMs: atMs, path: path))
            s.started[id] = .now
            if s.entries.count > limit { s.entries.removeFirst(s.entries.count - limit) }
        }
    }

    /// Records a completion; an id that was never triggered (the final checkpoint at end of input) is added.
    func completed(_ id: CheckpointID, sizeBytes: Int64, atMs: Int64, path: String? = nil) {
        state.withLock { s in
            let start = s.started.removeValue(forKey: id)
            let ms = start.map { Self.milliseconds($0.duration(to: .now)) }
            if let i = s.entries.lastIndex(where: { $0.id == id }) {
                s.entries[i].status = .completed
                s.entries[i].durationMs = ms ?? 0
                s.entries[i].sizeBytes = sizeBytes
                s.entries[i].path = path
            } else {
                s.entries.append(Entry(id: id, kind: "checkpoint", status: .completed, triggeredAtMs: atMs, durationMs: ms ?? 0, sizeBytes: sizeBytes))
            }
        }
    }

    /// Checkpoint `id`, still being aligned, was given up (a stop replaced it, or its attempt ended).
    func abandoned(_ id: CheckpointID, reason: String) {
        state.withLock { s in
            s.started.removeValue(forKey: id)
            if let i = s.entries.lastIndex(where: { $0.id == id }), s.entries[i].status == .inProgress {
                s.entries[i].status = .abandoned
                s.entries[i].failure = reason
            }
        }
    }

    /// The entry of `id`, if recorded.
    public func entry(_ id: CheckpointID) -> Entry? { state.withLock { $0.entries.last { $0.id == id } } }

    func failed(_ id: CheckpointID, reason: String) {
        state.withLock { s in
            s.failures += 1
            s.started.removeValue(forKey: id)
            if let i = s.entries.lastIndex(where: { $0.id == id }) {
                s.entries[i].status = .failed
                s.entries[i].failure = reason
            }
        }
    }

    /// Every entry, oldest first.
    public var entries: [Entry] { state.withLock { $0.entries } }
    public var failures: Int { state.withLock { $0.failures } }
    public var lastCompleted: Entry? { state.withLock { $0.entries.last { $0.status == .completed } } }

    static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}
