/// What flows through a channel: batches of records interleaved, in order, with control elements.
public enum StreamElement: Sendable {
    /// A batch of records in the edge's schema.
    case records(RecordBatch)
    /// Event time has reached this watermark on this input: no record at or before it follows.
    case watermark(Watermark)
    /// Checkpoint barrier: everything before it on this input belongs to checkpoint `id`, everything
    /// after it to the next (Flink's asynchronous barrier snapshotting).
    case barrier(CheckpointBarrier)
    /// This input has no data for now and must not hold the watermark back until it sends again
    /// (Flink's `WatermarkStatus.IDLE`). Any later record or watermark makes it active again.
    case idle
    /// This input is finished; nothing follows.
    case endOfInput
    /// The job is stopping right after a checkpoint (stop-with-savepoint, or a signal with
    /// checkpoints on): nothing follows on this input, and the receiving task ends *without*
    /// finishing its operators — no end-of-input watermark, no flush of open windows — so a run
    /// restored from that checkpoint continues exactly where this one stopped.
    case suspend

    /// Nothing follows on this input (``endOfInput`` or ``suspend``).
    @inlinable public var closesInput: Bool {
        switch self {
        case .endOfInput, .suspend: return true
        default: return false
        }
    }

    /// How many slots of channel capacity the element takes: its row count, and 1 for control elements.
    @inlinable public var weight: Int {
        if case .records(let b) = self { return Swift.max(b.count, 1) }
        return 1
    }
}
