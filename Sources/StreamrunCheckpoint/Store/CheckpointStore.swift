import StreamrunCore
import StreamrunIO

/// Writes, publishes, lists, verifies, cleans up and reads checkpoints in one directory.
///
/// A checkpoint is written in two phases, like Flink's `_metadata`:
/// 1. Every operator subtask writes its state file with ``writeStateFile(checkpoint:snapshot:)``
///    (concurrently, from any task) and hands the returned ``StateFileEntry`` to the coordinator.
/// 2. When every entry has arrived, the coordinator calls ``publish(_:)`` with a manifest listing
///    them. The manifest is written last, atomically; **a checkpoint is complete exactly when its
///    `_manifest.json` exists and verifies**. A directory without one is an abandoned attempt.
///
/// On restart, ``newestValid()`` picks the newest complete checkpoint whose every checksum
/// matches, and ``readStateFiles(_:operator:)`` / ``readStateFile(checkpoint:entry:)`` read it.
/// After each publish, ``retain(_:)`` deletes what is no longer needed.
///
/// Every file is written to a hidden `.inprogress` name, fsynced, renamed into place, and its
/// directory fsynced (state files' directory entries are fsynced once, by `publish`), so a crash
/// never leaves a partial file under a final name. The store keeps no state in memory: any number
/// of instances (and processes reading, like `streamrun checkpoints ls`) may share a directory,
/// but only one job may write to it.
///
/// - Important: Every method does blocking file I/O on the calling thread. All errors are
///   ``StreamrunError``s whose `location` is the file or directory concerned.
public final class CheckpointStore: Sendable {
    /// The one builder of every path in this store.
    public let paths: CheckpointPaths

    /// A store over `root` (created on the first write; nothing is touched here).
    public init(root: String, prefix: String = CheckpointPaths.directoryPrefix) {
        paths = CheckpointPaths(root: root, prefix: prefix)
    }

    public init(paths: CheckpointPaths) { self.paths = paths }

    // MARK: - Writing

    /// Encodes `snapshot` and writes it as the state file of its operator subtask in `checkpoint`.
    ///
    /// - Returns: the entry to list in the checkpoint's manifest.
    /// - Important: Throws if the checkpoint is already published (its state is immutable), if the
    ///   snapshot is inconsistent, or on an I/O error (retry class `transient`). Writing the same
    ///   subtask's file again before publishing replaces it.
    @discardableResult
    public func writeStateFile(checkpoint: CheckpointID, snapshot: OperatorSnapshot) throws(StreamrunError) -> StateFileEntry {
        try writeStateFile(checkpoint: checkpoint, operator: snapshot.operatorID, subtask: snapshot.subtask,
                           bytes: try StateFile.encode(snapshot))
    }

    /// Writes already-encoded state file bytes (``StateFile/encode(_:)``) for one operator subtask.
    @discardableResult
    public func writeStateFile(checkpoint: CheckpointID, operator operatorID: String, subtask: Int, bytes: [UInt8]) throws(StreamrunError) -> StateFileEntry {
        try checkID(checkpoint)
        guard CheckpointPaths.isValidOperatorID(operatorID), subtask >= 0 else {
            throw StreamrunError(.internalError, "invalid state file owner: operator \"\(operatorID)\", subtask \(subtask)", retry: .internal)
        }
        let dir = paths.directory(checkpoint)
        if FileIO.exists(paths.manifest(checkpoint)) {
            throw StreamrunError(.internalError, "checkpoint \(checkpoint) is already published; its state files cannot change",
                                 retry: .internal, location: dir)
        }
        try FileIO.makeDirectories(dir)
        let path = paths.stateFile(checkpoint: checkpoint, operator: operatorID, subtask: subtask)
        try FileIO.writeAtomically(bytes, to: path, inProgress: paths.inProgress(path), syncDirectory: false)
        return StateFileEntry(path: CheckpointPaths.stateFileName(operator: operatorID, subtask: subtask),
                              operatorID: operatorID, subtask: subtask, size: Int64(bytes.count), crc32c: CRC32C.checksum(bytes))
    }

    /// Completes a checkpoint: writes its manifest last, atomically. After this returns, the
    /// checkpoint exists and survives a crash.
    ///
    /// Steps: check every listed state file is present with its recorded size; fsync the
    /// checkpoint directory (making the state files' renames durable); write the manifest to
    /// `._manifest.json.inprogress`, fsync it, rename it to `_manifest.json`, fsync the checkpoint
    /// directory, then the root directory.
    ///
    /// - Important: Publishing the same manifest twice is a no-op; publishing a different manifest
    ///   for an already published checkpoint id throws.
    public func publish(_ manifest: CheckpointManifest) throws(StreamrunError) {
        let id = manifest.checkpointID
        try checkID(id)
        if let p = ManifestCodec.problem(manifest) {
            throw StreamrunError(.internalError, "cannot publish checkpoint \(id): \(p)", retry: .internal)
        }
        let bytes = try ManifestCodec.encode(manifest)
        let dir = paths.directory(id), manifestPath = paths.manifest(id)
        if FileIO.exists(manifestPath) {
            if (try? FileIO.readCheckpointFile(manifestPath)) == bytes { return }
            throw StreamrunError(.internalError, "checkpoint \(id) is already published with a different manifest",
                                 retry: .internal, location: manifestPath)
        }
        try FileIO.makeDirectories(dir)
        for f in manifest.stateFiles {
            let path = paths.file(checkpoint: id, relativePath: f.path)
            guard let size = FileIO.fileSize(path) else {
                throw StreamrunError(.internalError, "cannot publish checkpoint \(id): state file is missing", retry: .internal, location: path)
            }
            guard size == f.size else {
                throw StreamrunError(.internalError, "cannot publish checkpoint \(id): state file has \(size) bytes, the manifest says \(f.size)",
                                     retry: .internal, location: path)
            }
        }
        try FileIO.fsyncDirectory(dir)
        try FileIO.writeAtomically(bytes, to: manifestPath, inProgress: paths.inProgress(manifestPath), syncDirectory: true)
        try FileIO.fsyncDirectory(paths.root)
    }

    /// Deletes an unpublished checkpoint (one that failed or timed out). A missing one is fine.
    ///
    /// - Important: Throws if the checkpoint is published: use ``retain(_:)`` to remove those.
    public func abort(_ checkpoint: CheckpointID) throws(StreamrunError) {
        try checkID(checkpoint)
        if FileIO.exists(paths.manifest(checkpoint)) {
            throw StreamrunError(.internalError, "checkpoint \(checkpoint) is published and cannot be aborted",
                                 retry: .internal, location: paths.directory(checkpoint))
        }
        try FileIO.removeTree(paths.directory(checkpoint))
    }

    /// Deletes a checkpoint whether or not it is published (`--fresh` forgets them all). The
    /// manifest goes first, so a crash part-way leaves an incomplete directory, never a checkpoint
    /// that looks complete with files missing. A missing one is fine.
    public func delete(_ checkpoint: CheckpointID) throws(StreamrunError) {
        try checkID(checkpoint)
        try FileIO.remove(paths.manifest(checkpoint))
        try FileIO.removeTree(paths.directory(checkpoint))
    }

    // MARK: - Reading

    /// The manifest of `checkpoint`, checksum verified.
    ///
    /// - Important: Throws ``StreamrunError/Code/checkpointNotFound`` if there is none (the checkpoint is
    ///   missing or incomplete) and ``StreamrunError/Code/checkpointCorrupt`` if it fails its checksum.
    public func readManifest(_ checkpoint: CheckpointID) throws(StreamrunError) -> CheckpointManifest {
        try checkID(checkpoint)
        let path = paths.manifest(checkpoint)
        do throws(StreamrunError) {
            let m = try ManifestCodec.decode(try FileIO.readCheckpointFile(path))
            guard m.checkpointID == checkpoint else {
                throw StreamrunError.corrupt("manifest is for checkpoint \(m.checkpointID), not \(checkpoint)")
            }
            return m
        } catch {
            throw error.at(path)
        }
    }

    /// Reads one state file of `checkpoint`, checking its size and CRC-32C against the manifest
    /// entry, then decodes it and checks it belongs to the entry's operator subtask.
    public func readStateFile(checkpoint: CheckpointID, entry: StateFileEntry) throws(StreamrunError) -> OperatorSnapshot {
        try CheckpointDirectory(path: paths.directory(checkpoint)).readStateFile(entry)
    }

    /// Every state file of one operator in `manifest`'s checkpoint, ordered by subtask: what a
    /// restoring operator needs (at the same or a different parallelism).
    public func readStateFiles(_ manifest: CheckpointManifest, operator operatorID: String) throws(StreamrunError) -> [OperatorSnapshot] {
        var out: [OperatorSnapshot] = []
        for entry in manifest.stateFiles(of: operatorID) {
            out.append(try readStateFile(checkpoint: manifest.checkpointID, entry: entry))
        }
        return out
    }

    func checkID(_ id: CheckpointID) throws(StreamrunError) {
        if id < 0 { throw StreamrunError(.internalError, "negative checkpoint id \(id)", retry: .internal) }
    }
}
