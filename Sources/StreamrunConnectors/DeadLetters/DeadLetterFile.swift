import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// One committed part file of a dead-letter queue, read whole: its bytes and the dead letters on its
/// lines.
///
/// A dead-letter queue (DLQ) is the directory of a dead-letter sink: ordinary file-sink part files
/// (``PartFileNames``), one ``DeadLetterEnvelope`` per line. ``list(_:)`` finds the committed ones.
public struct DeadLetterFile: Sendable {
    /// The file's path, as listed (below the DLQ path given).
    public let path: String
    /// The whole file.
    public let bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// Reads `path` whole.
    public static func read(_ path: String) throws(StreamrunError) -> DeadLetterFile {
        guard let bytes = try FileIO.readAll(path) else {
            throw StreamrunError(.inputNotFound, "no such file", location: path)
        }
        return DeadLetterFile(path: path, bytes: bytes)
    }

    /// Calls `body` with each dead letter and its 1-based line number, in line order. Empty lines are
    /// skipped.
    ///
    /// - Important: Throws a `malformed-record` error at `<path>:<line>` for the first line that is not
    ///   a dead-letter envelope; the letters before it have been passed to `body`.
    public func forEach(_ body: (_ line: Int, _ letter: DeadLetter) throws(StreamrunError) -> Void) throws(StreamrunError) {
        var start = 0
        var line = 1
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if end > start {
                let letter: DeadLetter
                do {
                    letter = try DeadLetterEnvelope.decode(Array(bytes[start..<end]))
                } catch {
                    throw StreamrunError(.malformedRecord, "not a dead-letter envelope: \(error.message)", location: "\(path):\(line)")
                }
                try body(line, letter)
            }
            start = end + 1
            line += 1
        }
    }

    /// The committed part files a DLQ path names, in path order: `path` itself when it is a file,
    /// else every committed JSONL part file below the directory (``PartFileNames/isCommittedPartFile(_:fileExtension:)``),
    /// skipping hidden names (in-progress files) and directories starting with `.` or `_`.
    ///
    /// - Important: Throws `input-not-found` when `path` does not exist.
    public static func list(_ path: String) throws(StreamrunError) -> [String] {
        if path.utf8.contains(0) { throw StreamrunError(.usage, "a path must not contain a NUL character") }
        guard FileIO.exists(path) else { throw StreamrunError(.inputNotFound, "no such file or directory", location: path) }
        guard FileIO.isDirectory(path) else { return [path] }
        let root = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        return FileIO.files(below: root).filter { dir, name in
            let below = dir == root ? "" : String(dir.dropFirst(root.count + 1))
            let hidden = below.split(separator: "/").contains { $0.hasPrefix(".") || $0.hasPrefix("_") }
            return !hidden && PartFileNames.isCommittedPartFile(name, fileExtension: DataFormat.jsonl.rawValue)
        }.map { $0.directory + "/" + $0.name }.sorted()
    }
}
