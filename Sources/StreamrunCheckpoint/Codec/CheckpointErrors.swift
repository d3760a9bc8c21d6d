import StreamrunCore

extension StreamrunError.Code {
    /// A checkpoint file or directory fails its checksum, is truncated, or cannot be decoded.
    public static let checkpointCorrupt = StreamrunError.Code("checkpoint-corrupt")
    /// A checkpoint, its manifest or one of its state files does not exist.
    public static let checkpointNotFound = StreamrunError.Code("checkpoint-not-found")
    /// A checkpoint file was written by a newer streamrun (an unknown format version).
    public static let checkpointUnsupportedVersion = StreamrunError.Code("checkpoint-unsupported-version")
}

extension StreamrunError {
    /// A corrupt-data error: never retried (reading the same bytes again gives the same answer).
    static func corrupt(_ message: String, at location: String? = nil) -> StreamrunError {
        StreamrunError(.checkpointCorrupt, message, retry: .user, location: location)
    }

    /// The same error with `location` set, unless one is already set.
    func at(_ location: String) -> StreamrunError {
        var copy = self
        if copy.location == nil { copy.location = location }
        return copy
    }
}
