import StreamrunCore

/// An operator whose state a checkpoint can restore, at the same or a different parallelism.
///
/// The runtime calls ``restoreState(keyGroups:named:maxParallelism:)`` once, after constructing the
/// operator and before the first `process`, `processWatermark` or `snapshotState`:
/// - `keyGroups`: every key group of this subtask's `KeyGroups.range(subtask:maxParallelism:parallelism:)`
///   found in the old snapshots (`OperatorSnapshot.keyGroups(_:in:)`); groups without state are absent.
/// - `named`: the `named` sections of **every** old subtask of the operator, in old subtask order, so
///   a rescaled subtask can combine them (each operator documents its rule; for watermarks it is
///   the minimum).
/// - `maxParallelism`: the job's number of key groups, which must equal the one snapshotted.
///
/// - Important: Throws ``StreamrunError`` (code `checkpoint-corrupt` or
///   `checkpoint-unsupported-version`) for malformed, truncated or unknown-version bytes, and for
///   state that does not fit the operator as now configured (for example a changed aggregate list);
///   it never traps. After a throw the operator must not be used.
public protocol RestorableOperator: StreamOperator {
    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError)
}
