import StreamrunCore
import StreamrunIO

/// One checkpoint or savepoint directory read on its own, by path: its `_manifest.json` and the
/// state files it lists. For tools (`streamrun checkpoints show`, `streamrun state dump`) that are
/// given a directory such as `state/chk-000017` or `savepoints/q5/sp-000003`, whatever its name.
///
/// - Important: Reads only, with blocking I/O on the calling thread. Every error is a
///   ``StreamrunError`` whose `location` is the file or directory concerned.
public struct CheckpointDirectory: Sendable {
    /// The directory, as given (without trailing slashes).
    public let path: String

    public init(path: String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    /// The manifest, checksum verified.
    ///
    /// - Important: Throws ``StreamrunError/Code/checkpointNotFound`` if `path` is not a directory
    ///   or has no manifest (it is not a checkpoint, or an incomplete one), and
    ///   ``StreamrunError/Code/checkpointCorrupt`` if the manifest fails its checksum.
    public func readManifest() throws(StreamrunError) -> CheckpointManifest {
        guard FileIO.isDirectory(path) else {
            throw StreamrunError(.checkpointNotFound, "not a checkpoint directory (no such directory)", location: path)
        }
        let manifestPath = path + "/" + CheckpointPaths.manifestName
        guard FileIO.exists(manifestPath) else {
            throw StreamrunError(.checkpointNotFound,
                                 "not a checkpoint directory (no \(CheckpointPaths.manifestName); an incomplete checkpoint has none)",
                                 location: path)
        }
        do throws(StreamrunError) {
            return try ManifestCodec.decode(try FileIO.readCheckpointFile(manifestPath))
        } catch {
            throw error.at(manifestPath)
        }
    }

    /// Reads one state file, checking its size and CRC-32C against the manifest entry, then decodes
    /// it and checks it belongs to the entry's operator subtask.
    public func readStateFile(_ entry: StateFileEntry) throws(StreamrunError) -> OperatorSnapshot {
        let file = path + "/" + entry.path
        do throws(StreamrunError) {
            let bytes = try FileIO.readCheckpointFile(file)
            guard Int64(bytes.count) == entry.size else {
                throw StreamrunError.corrupt("size mismatch: the manifest says \(entry.size) bytes, the file has \(bytes.count)")
            }
            let crc = CRC32C.checksum(bytes)
            guard crc == entry.crc32c else {
                throw StreamrunError.corrupt("checksum mismatch: the manifest says crc32c \(CRC32C.hex(entry.crc32c)), the file has \(CRC32C.hex(crc))")
            }
            let s = try StateFile.decode(bytes)
            guard s.operatorID == entry.operatorID, s.subtask == entry.subtask else {
                throw StreamrunError.corrupt("holds operator \(s.operatorID) subtask \(s.subtask), the manifest says \(entry.operatorID) subtask \(entry.subtask)")
            }
            return s
        } catch {
            throw error.at(file)
        }
    }

    /// Every state file of one operator in `manifest`, ordered by subtask.
    public func readStateFiles(_ manifest: CheckpointManifest, operator operatorID: String) throws(StreamrunError) -> [OperatorSnapshot] {
        var out: [OperatorSnapshot] = []
        for entry in manifest.stateFiles(of: operatorID) { out.append(try readStateFile(entry)) }
        return out
    }
}
