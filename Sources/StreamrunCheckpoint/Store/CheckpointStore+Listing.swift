import StreamrunCore
import StreamrunIO

extension CheckpointStore {
    /// Every checkpoint directory under the root, oldest first; empty if the root does not exist.
    ///
    /// Reads each manifest and stats each state file it lists (no state file is read). Other
    /// entries in the root are ignored.
    public func list() throws(StreamrunError) -> [CheckpointInfo] {
        try ids().map(info)
    }

    /// The ids of every checkpoint directory, ascending, whatever their state.
    func ids() throws(StreamrunError) -> [CheckpointID] {
        guard let names = FileIO.list(paths.root) else {
            if !FileIO.exists(paths.root) { return [] }
            throw StreamrunError(.readFailed, "cannot list the checkpoints directory: \(FileIO.errorText())",
                                 retry: .transient, location: paths.root)
        }
        return names
            .compactMap { name in paths.id(directoryName: name) }
            .filter { FileIO.isDirectory(paths.directory($0)) }
            .sorted()
    }

    /// The listing entry of one checkpoint directory.
    func info(_ id: CheckpointID) -> CheckpointInfo {
        let dir = paths.directory(id)
        let files = (FileIO.list(dir) ?? []).map { dir + "/" + $0 }.filter { !FileIO.isDirectory($0) }
        let size = files.reduce(Int64(0)) { $0 + (FileIO.fileSize($1) ?? 0) }
        var info = CheckpointInfo(id: id, directory: dir, status: .incomplete, timestampMs: nil, sizeBytes: size, fileCount: files.count)
        let manifestPath = paths.manifest(id)
        guard FileIO.exists(manifestPath) else { return info }
        let manifest: CheckpointManifest
        do {
            manifest = try readManifest(id)
        } catch {
            info.status = .corrupt(error.description)
            return info
        }
        info.timestampMs = manifest.timestampMs
        for f in manifest.stateFiles {
            let path = paths.file(checkpoint: id, relativePath: f.path)
            guard let actual = FileIO.fileSize(path) else {
                info.status = .corrupt("\(path): missing (listed in \(CheckpointPaths.manifestName))")
                return info
            }
            if actual != f.size {
                info.status = .corrupt("\(path): has \(actual) bytes, the manifest says \(f.size)")
                return info
            }
        }
        info.status = .complete
        return info
    }

    /// The checkpoint to restore from: the newest complete one whose manifest and state files all
    /// pass their checksums and decode (``verify(_:)``), with a warning for each newer one skipped.
    ///
    /// The decision is ``CheckpointPolicy/newestValid(_:problems:)``; this method only does the I/O.
    /// `manifest` is `nil` when no checkpoint is valid: the job starts from scratch.
    public func newestValid() throws(StreamrunError) -> RestoreSelection {
        let listing = try list()
        let choice = CheckpointPolicy.newestValid(listing) { id in
            do throws(StreamrunError) {
                return try verify(id).problems
            } catch {
                return [error.description]
            }
        }
        guard let id = choice.id else { return RestoreSelection(manifest: nil, warnings: choice.warnings) }
        return RestoreSelection(manifest: try readManifest(id), warnings: choice.warnings)
    }

    /// Keeps the newest `keep` complete checkpoints and deletes the rest, as decided by
    /// ``CheckpointPolicy/toDelete(_:keep:)``: older complete checkpoints, and incomplete or corrupt
    /// directories older than the newest complete one. Safe to call while a newer checkpoint is
    /// being written.
    ///
    /// A checkpoint's manifest is deleted first, so a crash mid-way leaves an incomplete directory
    /// (cleaned up next time), never a complete-looking checkpoint with files missing.
    ///
    /// - Returns: the deleted checkpoint ids, oldest first.
    @discardableResult
    public func retain(_ keep: Int) throws(StreamrunError) -> [CheckpointID] {
        // Only the newest directories are examined until `keep` complete ones are found: everything
        // older is deleted whatever its state, so examining it would not change the decision (listed
        // as incomplete, it goes the same way). Complete here means a manifest whose checksum
        // matches — what publishing leaves — checked without parsing it; restoring verifies fully.
        var listing: [CheckpointInfo] = []
        var complete = 0
        for id in try ids().reversed() {
            var entry = CheckpointInfo(id: id, directory: paths.directory(id), status: .incomplete,
                                       timestampMs: nil, sizeBytes: 0, fileCount: 0)
            if complete < max(keep, 1), FileIO.exists(paths.manifest(id)) {
                do throws(StreamrunError) {
                    try ManifestCodec.checkChecksum(try FileIO.readCheckpointFile(paths.manifest(id)))
                    entry.status = .complete
                    complete += 1
                } catch {
                    entry.status = .corrupt(error.description)
                }
            }
            listing.append(entry)
        }
        let doomed = CheckpointPolicy.toDelete(listing, keep: keep)
        for id in doomed {
            try FileIO.remove(paths.manifest(id))
            try FileIO.removeTree(paths.directory(id))
        }
        if !doomed.isEmpty { try FileIO.fsyncDirectory(paths.root) }
        return doomed
    }

    /// Deletes every directory of this store without a manifest: attempts a crash or a failure cut
    /// short. Only for a store no checkpoint is being written to (its job holds the lock).
    ///
    /// - Returns: the deleted ids, oldest first.
    @discardableResult
    public func removeIncomplete() throws(StreamrunError) -> [CheckpointID] {
        let doomed = try ids().filter { !FileIO.exists(paths.manifest($0)) }
        for id in doomed { try FileIO.removeTree(paths.directory(id)) }
        if !doomed.isEmpty { try FileIO.fsyncDirectory(paths.root) }
        return doomed
    }
}
