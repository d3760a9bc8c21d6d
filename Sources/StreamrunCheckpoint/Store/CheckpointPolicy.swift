import StreamrunCore

/// The store's decisions as pure functions over a listing: no I/O, so every rule is unit-tested
/// on plain values.
public enum CheckpointPolicy {
    /// Which checkpoint to restore from: the newest one that is complete and passes verification.
    ///
    /// Checkpoints are tried newest first. An incomplete or corrupt one newer than the chosen one
    /// gives a warning; a complete one is verified by calling `problems` (lazily, newest first,
    /// stopping at the first that has none), and skipped with a warning naming its problems.
    ///
    /// - Parameters:
    ///   - listing: the checkpoints, in any order.
    ///   - problems: what is wrong with a complete checkpoint (`path: problem` lines), empty if it verifies.
    /// - Returns: the id to restore (`nil` for none) and the warnings, newest first.
    public static func newestValid(_ listing: [CheckpointInfo], problems: (CheckpointID) -> [String]) -> (id: CheckpointID?, warnings: [String]) {
        var warnings: [String] = []
        for info in listing.sorted(by: { $0.id > $1.id }) {
            let name = CheckpointPaths.directoryName(info.id)
            switch info.status {
            case .incomplete:
                warnings.append("checkpoint \(info.id) skipped: \(info.directory) is incomplete (no \(CheckpointPaths.manifestName))")
            case .corrupt(let why):
                warnings.append("checkpoint \(info.id) skipped: \(why)")
            case .complete:
                let found = problems(info.id)
                if found.isEmpty { return (info.id, warnings) }
                warnings.append("checkpoint \(info.id) skipped (\(name) failed verification): " + found.joined(separator: "; "))
            }
        }
        return (nil, warnings)
    }

    /// Which checkpoint directories to delete to keep the newest `keep` complete checkpoints.
    ///
    /// Deleted: every complete checkpoint older than the newest `keep` complete ones, and every
    /// incomplete or corrupt directory older than the newest complete checkpoint (a crashed or
    /// abandoned attempt). Directories newer than the newest complete checkpoint are kept: one may
    /// be a checkpoint in progress. With no complete checkpoint nothing is deleted.
    ///
    /// - Returns: ids to delete, oldest first. `keep` below 1 is treated as 1.
    public static func toDelete(_ listing: [CheckpointInfo], keep: Int) -> [CheckpointID] {
        let complete = listing.filter(\.status.isComplete).map(\.id).sorted(by: >)
        guard let newest = complete.first else { return [] }
        let kept = Set(complete.prefix(max(keep, 1)))
        return listing
            .filter { $0.status.isComplete ? !kept.contains($0.id) : $0.id < newest }
            .map(\.id)
            .sorted()
    }
}
