/// Something that happened to a source subtask's reads that a person may need to know: a retry,
/// the switch to its fallback, going degraded, rejoining. The connectors report these through the
/// factory's ``SourceObserver``; the launcher logs them and turns them into job events (alerts).
public struct SourceEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A read failed; it is tried again at the same position after `delayMs` (retry `retry` of `maxRetries`).
        case retrying(retry: Int, maxRetries: Int, delayMs: Int64)
        /// Failed past its retries: the subtask now reads with its fallback's `path`.
        case switchedToFallback(fallback: String, path: String)
        /// Failed past its retries (and fallback), optional: the job goes on without this subtask,
        /// which is tried again in the background, first after `delayMs`.
        case degraded(delayMs: Int64)
        /// Degraded, a background try failed; the next is after `delayMs`.
        case stillFailing(retry: Int, delayMs: Int64)
        /// Degraded, a background try went through: the subtask reads again from its position.
        case rejoined
    }

    public var kind: Kind
    /// The source id.
    public var source: String
    public var subtask: Int
    /// The read error, for every kind but `rejoined`.
    public var cause: String?

    public init(kind: Kind, source: String, subtask: Int, cause: String? = nil) {
        self.kind = kind
        self.source = source
        self.subtask = subtask
        self.cause = cause
    }
}

/// Where a job's ``SourceEvent``s go. Called on the source's task: it must return at once.
public typealias SourceObserver = @Sendable (SourceEvent) -> Void
