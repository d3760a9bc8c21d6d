import StreamrunCore
import StreamrunIO

extension CheckpointStore {
    /// Copies published checkpoint `id` into `target` under the same id — every state file (its size
    /// and checksum checked against the manifest), then the manifest — and returns the new directory.
    /// This is how a savepoint is made from a checkpoint: same layout, same bytes.
    @discardableResult
    public func copy(_ id: CheckpointID, to target: CheckpointStore) throws(StreamrunError) -> String {
        let m = try readManifest(id)
        for entry in m.stateFiles {
            let path = paths.file(checkpoint: id, relativePath: entry.path)
            let bytes: [UInt8]
            do throws(StreamrunError) {
                bytes = try FileIO.readCheckpointFile(path)
                guard Int64(bytes.count) == entry.size, CRC32C.checksum(bytes) == entry.crc32c else {
                    throw StreamrunError.corrupt("size or checksum differs from the manifest")
                }
            } catch {
                throw error.at(path)
            }
            try target.writeStateFile(checkpoint: id, operator: entry.operatorID, subtask: entry.subtask, bytes: bytes)
        }
        try target.publish(m)
        return target.paths.directory(id)
    }
}
