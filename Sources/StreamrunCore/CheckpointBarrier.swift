/// A checkpoint barrier: sources inject it between batches; every task forwards it once it has arrived
/// on all of its inputs (aligned) and its operators have taken their snapshot.
public struct CheckpointBarrier: Sendable, Hashable, CustomStringConvertible {
    /// Checkpoint ids increase by one per triggered checkpoint, starting at 1.
    public var id: CheckpointID

    public init(id: CheckpointID) { self.id = id }

    /// The id operators see when asked for their final state at the end of the input.
    public static let final = CheckpointID(.max)

    public var description: String { "barrier \(id)" }
}
