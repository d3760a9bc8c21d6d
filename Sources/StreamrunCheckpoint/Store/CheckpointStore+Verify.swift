import StreamrunCore
import StreamrunIO

extension CheckpointStore {
    /// Checks every byte of a checkpoint: the manifest's checksum, then for each state file it lists
    /// that it exists, has the recorded size and CRC-32C, decodes (LZ4 frame, magic, version,
    /// content CRC-32C), and belongs to the recorded operator subtask with the recorded parallelism.
    ///
    /// Problems are returned per file, not thrown, so every bad file is reported at once.
    ///
    /// - Important: Throws ``StreamrunError/Code/checkpointNotFound`` only if the checkpoint directory
    ///   does not exist. A missing manifest is reported as a problem of `_manifest.json`.
    public func verify(_ checkpoint: CheckpointID) throws(StreamrunError) -> CheckpointVerification {
        try checkID(checkpoint)
        let dir = paths.directory(checkpoint)
        guard FileIO.isDirectory(dir) else {
            throw StreamrunError(.checkpointNotFound, "checkpoint \(checkpoint) does not exist", location: dir)
        }
        let manifestPath = paths.manifest(checkpoint)
        guard FileIO.exists(manifestPath) else {
            return CheckpointVerification(checkpoint: checkpoint, files: [
                .init(path: manifestPath, problem: "missing: the checkpoint is incomplete")
            ])
        }
        let manifest: CheckpointManifest
        do {
            manifest = try readManifest(checkpoint)
        } catch {
            return CheckpointVerification(checkpoint: checkpoint, files: [.init(path: manifestPath, problem: error.message)])
        }
        var results: [CheckpointVerification.FileResult] = [.init(path: manifestPath, problem: nil)]
        let parallelism = Dictionary(manifest.operators.map { ($0.id, $0.parallelism) }, uniquingKeysWith: { a, _ in a })
        for entry in manifest.stateFiles {
            let path = paths.file(checkpoint: checkpoint, relativePath: entry.path)
            do throws(StreamrunError) {
                let s = try readStateFile(checkpoint: checkpoint, entry: entry)
                if let p = parallelism[entry.operatorID], p != s.parallelism {
                    throw StreamrunError.corrupt("written at parallelism \(s.parallelism), the manifest says \(p)")
                }
                results.append(.init(path: path, problem: nil))
            } catch {
                results.append(.init(path: path, problem: error.message))
            }
        }
        return CheckpointVerification(checkpoint: checkpoint, files: results)
    }
}
