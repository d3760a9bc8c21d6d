#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCheckpoint
import StreamrunCore

/// Thin, throwing wrappers over the POSIX file calls the connectors use (no Foundation on these paths).
/// Stat helpers and error text are ``FileIO``'s (StreamrunCheckpoint), shared by every module.
enum Posix {
    static func openRead(_ path: String) throws(StreamrunError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw StreamrunError(.inputNotFound, "cannot open \(path): \(FileIO.errorText())") }
        return fd
    }

    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) throws(StreamrunError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw StreamrunError(.writeFailed, "cannot create \(path): \(FileIO.errorText())", retry: .transient) }
        return fd
    }

    /// Reads into `buffer[at...]` (at most `limit` bytes) from file offset `offset`; returns the bytes
    /// read, 0 at end of file.
    static func pread(_ fd: Int32, into buffer: inout [UInt8], at: Int, limit: Int = .max, offset: Int64, path: String) throws(StreamrunError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { b in
                Glibc.pread(fd, b.baseAddress! + at, min(limit, b.count - at), off_t(offset))
            }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw StreamrunError(.readFailed, "cannot read \(path): \(FileIO.errorText())", retry: .transient)
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StreamrunError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamrunError(.writeFailed, "cannot write \(path): \(FileIO.errorText())", retry: .transient)
            }
            done += n
        }
    }

    static func fsync(_ fd: Int32, path: String) throws(StreamrunError) {
        if Glibc.fsync(fd) != 0 {
            throw StreamrunError(.writeFailed, "cannot fsync \(path): \(FileIO.errorText())", retry: .transient)
        }
    }

    /// fsyncs a directory so a rename inside it is durable.
    static func fsyncDirectory(_ path: String) throws(StreamrunError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw StreamrunError(.writeFailed, "cannot open directory \(path): \(FileIO.errorText())", retry: .transient) }
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    static func rename(_ from: String, _ to: String) throws(StreamrunError) {
        if Glibc.rename(from, to) != 0 {
            throw StreamrunError(.writeFailed, "cannot rename \(from) to \(to): \(FileIO.errorText())", retry: .transient)
        }
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws(StreamrunError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") where !part.isEmpty {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw StreamrunError(.writeFailed, "cannot create directory \(path): \(FileIO.errorText())", retry: .transient)
            }
        }
        if !FileIO.isDirectory(path) {
            throw StreamrunError(.writeFailed, "cannot create directory \(path): not a directory", retry: .transient)
        }
    }

    static func unlink(_ path: String) { _ = Glibc.unlink(path) }

    /// Names in a directory (not `.` or `..`), unsorted.
    static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Paths matching a shell glob pattern, sorted.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// Whether a path is writable by creating and removing a probe file in `dir`.
    static func canWrite(in dir: String) -> String? {
        let probe = dir + "/.streamrun-write-probe"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { return FileIO.errorText() }
        close(fd)
        Glibc.unlink(probe)
        return nil
    }
}
