import StreamrunCore

/// The state of one operator subtask at one checkpoint: what one state file holds.
///
/// Keyed state is stored per **key group** (`0..<maxParallelism`), never per subtask, so a
/// checkpoint taken at one parallelism can be restored at another: each new subtask reads the
/// key groups in its `KeyGroups.range(subtask:maxParallelism:parallelism:)` from whichever old
/// files hold them (see ``keyGroups(_:in:)``). Non-keyed state (source split offsets, watermarks,
/// a sink's pending files) goes into **named** sections whose meaning belongs to the operator.
///
/// The payloads are opaque here; operators build them with ``SnapshotWriter``.
public struct OperatorSnapshot: Sendable, Hashable {
    /// The operator's `id` from job.json (letters, digits, `_` and `-`).
    public var operatorID: String
    /// The subtask that took the snapshot, `0..<parallelism`.
    public var subtask: Int
    /// The operator's parallelism when the snapshot was taken.
    public var parallelism: Int
    /// The job's maxParallelism: the number of key groups (fixed for the life of the job's state).
    public var maxParallelism: Int
    /// Keyed state: key group → the operator's bytes for every key in it.
    public var keyGroups: [Int: [UInt8]]
    /// Non-keyed state: section name → bytes.
    public var named: [String: [UInt8]]

    public init(operatorID: String, subtask: Int, parallelism: Int, maxParallelism: Int,
                keyGroups: [Int: [UInt8]] = [:], named: [String: [UInt8]] = [:]) {
        self.operatorID = operatorID
        self.subtask = subtask
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.keyGroups = keyGroups
        self.named = named
    }

    /// Every key group in `range` found in `snapshots` (the files of one operator at one
    /// checkpoint, any parallelism): what a subtask owning `range` restores after rescaling.
    ///
    /// - Important: Throws if two snapshots hold the same key group, which a consistent checkpoint never does.
    public static func keyGroups(_ snapshots: [OperatorSnapshot], in range: Range<Int>) throws(StreamrunError) -> [Int: [UInt8]] {
        var out: [Int: [UInt8]] = [:]
        for s in snapshots {
            for (g, bytes) in s.keyGroups where range.contains(g) {
                if out.updateValue(bytes, forKey: g) != nil {
                    throw StreamrunError.corrupt("key group \(g) of operator \(s.operatorID) is in more than one state file")
                }
            }
        }
        return out
    }

    /// Why this snapshot cannot be written or was decoded inconsistent, or `nil` if it is fine.
    func problem() -> String? {
        if !CheckpointPaths.isValidOperatorID(operatorID) {
            return "operator id \"\(operatorID)\" must be 1–128 letters, digits, '_' or '-'"
        }
        if maxParallelism < 1 || maxParallelism > Int(UInt32.max) { return "maxParallelism \(maxParallelism) is out of range" }
        if parallelism < 1 || parallelism > maxParallelism {
            return "parallelism \(parallelism) must be in 1...\(maxParallelism) (maxParallelism)"
        }
        if subtask < 0 || subtask >= parallelism { return "subtask \(subtask) must be in 0..<\(parallelism) (parallelism)" }
        if let g = keyGroups.keys.first(where: { $0 < 0 || $0 >= maxParallelism }) {
            return "key group \(g) must be in 0..<\(maxParallelism) (maxParallelism)"
        }
        return nil
    }
}
