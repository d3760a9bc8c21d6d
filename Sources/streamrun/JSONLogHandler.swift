import Foundation
import Logging
import StreamrunCore

/// `--log-format json`: one JSON object per message, for log shippers: `time` (UTC, ISO-8601 with
/// milliseconds), `level`, `message`, then the metadata (`job`, `checkpoint`, `attempt`,
/// `error.code`, …), logger's first, the message's over them.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let output: LogOutput

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let m = event.metadata { fields.merge(m) { _, new in new } }
        var line = "{\"time\":\"\(Self.timestamp(Date()))\",\"level\":\"\(event.level)\",\"message\":" + Self.quoted("\(event.message)")
        for key in fields.keys.sorted() where !["time", "level", "message"].contains(key) {
            line += "," + Self.quoted(key) + ":" + Self.quoted("\(fields[key]!)")
        }
        output.write(line + "}\n")
    }

    static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(v).count)) + String(v) }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms % 1000), 3))Z"
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = ""
        OrderedJSON.writeString(text, to: &out)
        return out
    }
}

/// Where log lines go: standard error, or a file rotated by size (`--log-file`, `--log-file-size`,
/// `--log-file-count`): when the file would pass the size, `f.N-1` becomes `f.N` (the oldest beyond
/// the count is removed), …, `f` becomes `f.1`, and a new `f` starts.
final class LogOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let path: String?
    private let maxBytes: Int
    private let keep: Int
    private var handle: FileHandle?
    private var size = 0

    static let standardError = LogOutput(path: nil)

    init(path: String?, maxBytes: Int = 10 << 20, keep: Int = 5) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = max(1, keep)
    }

    func write(_ line: String) {
        let data = Data(line.utf8)
        guard let path else {
            FileHandle.standardError.write(data)
            return
        }
        lock.lock()
        defer { lock.unlock() }
        if handle == nil { open(path) }
        if size > 0 && size + data.count > maxBytes {
            try? handle?.close()
            rotate(path)
            open(path)
        }
        handle?.write(data)
        size += data.count
    }

    private func open(_ path: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        size = Int((try? handle?.seekToEnd()) ?? 0)
    }

    private func rotate(_ path: String) {
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        for n in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(n)") {
            try? fm.moveItem(atPath: "\(path).\(n)", toPath: "\(path).\(n + 1)")
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
    }
}
