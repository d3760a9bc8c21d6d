#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore

/// The POSIX file calls the checkpoint store needs, as throwing wrappers that name the path.
///
/// Writes use write(2) and an explicit fsync (never `Data.write`, which fsyncs on every call, and
/// never `FileManager.replaceItemAt`, which loses data on Linux).
public enum FileIO {
    public static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Writes `path` atomically and durably: write `<dir>/.<name>.inprogress`, fsync it, rename it
    /// to `path`, and (if `syncDirectory`) fsync the directory. A crash leaves either the old file,
    /// or no file, or the complete new one — never a partial file under the final name.
    static func writeAtomically(_ bytes: [UInt8], to path: String, inProgress: String, syncDirectory: Bool) throws(StreamrunError) {
        let fd = open(inProgress, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw writeError("cannot create", inProgress) }
        do throws(StreamrunError) {
            try writeAll(fd, bytes, path: inProgress)
            if fsync(fd) != 0 { throw writeError("cannot fsync", inProgress) }
        } catch {
            close(fd)
            unlink(inProgress)
            throw error
        }
        close(fd)
        if rename(inProgress, path) != 0 {
            let e = writeError("cannot rename \(inProgress) into place", path)
            unlink(inProgress)
            throw e
        }
        if syncDirectory { try fsyncDirectory(parent(of: path)) }
    }

    /// fsyncs a directory so renames and new entries in it survive a crash.
    static func fsyncDirectory(_ path: String) throws(StreamrunError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw writeError("cannot open directory", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw writeError("cannot fsync directory", path) }
    }

    /// `mkdir -p`; returns whether the last component was created by this call.
    @discardableResult
    static func makeDirectories(_ path: String) throws(StreamrunError) -> Bool {
        var current = path.hasPrefix("/") ? "" : "."
        var created = false
        for part in path.split(separator: "/") where !part.isEmpty {
            current += "/" + part
            if mkdir(current, 0o755) == 0 {
                created = true
            } else if errno == EEXIST {
                created = false
            } else {
                throw writeError("cannot create directory", current)
            }
        }
        if !isDirectory(path) { throw StreamrunError(.writeFailed, "cannot create directory: not a directory", location: path) }
        return created
    }

    /// The whole file, or a ``StreamrunError/Code/checkpointNotFound`` error if it does not exist.
    static func readAll(_ path: String) throws(StreamrunError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { throw StreamrunError(.checkpointNotFound, "file does not exist", location: path) }
            throw StreamrunError(.readFailed, "cannot open: \(errorText(code))", retry: .transient, location: path)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        if let size = fileSize(path), size > 0 { out.reserveCapacity(Int(size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamrunError(.readFailed, "cannot read: \(errorText())", retry: .transient, location: path)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    public static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Names in a directory (not `.` or `..`), sorted; `nil` if it cannot be opened.
    static func list(_ dir: String) -> [String]? {
        guard let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file; a missing file is not an error.
    static func remove(_ path: String) throws(StreamrunError) {
        if unlink(path) != 0 && errno != ENOENT { throw writeError("cannot delete", path) }
    }

    /// Removes a directory and everything in it (checkpoint directories hold only files, but a
    /// stray subdirectory is removed too); a missing directory is not an error.
    static func removeTree(_ path: String) throws(StreamrunError) {
        guard let names = list(path) else {
            if !exists(path) { return }
            throw writeError("cannot open directory", path)
        }
        for name in names {
            let child = path + "/" + name
            if isDirectory(child) { try removeTree(child) } else { try remove(child) }
        }
        if rmdir(path) != 0 && errno != ENOENT { throw writeError("cannot delete directory", path) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StreamrunError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw writeError("cannot write", path)
            }
            done += n
        }
    }

    private static func writeError(_ what: String, _ path: String) -> StreamrunError {
        StreamrunError(.writeFailed, "\(what): \(errorText())", retry: .transient, location: path)
    }
}
