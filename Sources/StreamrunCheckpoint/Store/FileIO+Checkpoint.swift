import StreamrunCore
import StreamrunIO

extension FileIO {
    /// The bytes of a checkpoint's file; a missing file is a ``StreamrunError/Code/checkpointNotFound``
    /// error located at its path.
    static func readCheckpointFile(_ path: String) throws(StreamrunError) -> [UInt8] {
        guard let bytes = try readAll(path) else { throw StreamrunError(.checkpointNotFound, "file does not exist", location: path) }
        return bytes
    }
}
