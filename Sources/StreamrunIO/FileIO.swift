#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore

/// The one layer of POSIX file calls below the checkpoint store, the connectors and the control
/// endpoint: throwing wrappers that name the path, with one error text per failure
/// (`cannot <do what> <path>: <reason>`, retry class `transient`).
///
/// Writes use write(2) and an explicit fsync (never `Data.write`, which fsyncs on every call, and
/// never `FileManager.replaceItemAt`, which loses data on Linux). A file is published in four
/// steps: write a temporary name, fsync it, rename it, fsync the directory
/// (``writeAtomically(_:to:inProgress:syncDirectory:mode:)``).
///
/// - Important: Every call blocks the calling thread on the file system.
public enum FileIO {
    /// The text of an `errno` value.
    public static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    // MARK: - Descriptors

    /// Opens `path` for reading; a missing or unreadable file is an `input-not-found` error.
    public static func openRead(_ path: String) throws(StreamrunError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw StreamrunError(.inputNotFound, "cannot open \(path): \(errorText())") }
        return fd
    }

    /// Creates (or truncates) `path` for writing, with permissions 0644 less the umask; with `mode`,
    /// with exactly `mode` instead: a file that already existed is changed to it (fchmod) before
    /// anything is written, so a private file (0600) is never readable by others, not even briefly.
    public static func create(_ path: String, mode: mode_t? = nil) throws(StreamrunError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode ?? 0o644)
        if fd < 0 { throw writeError("cannot create", path) }
        if let mode, fchmod(fd, mode) != 0 {
            let error = writeError("cannot set the permissions of", path)
            close(fd)
            throw error
        }
        return fd
    }

    /// Closes a descriptor (errors are ignored: every write that matters was fsynced before).
    public static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #elseif canImport(Darwin)
        _ = Darwin.close(fd)
        #endif
    }

    /// Reads into `buffer[at...]` (at most `limit` bytes) from file offset `offset`; returns the bytes
    /// read, 0 at end of file.
    public static func pread(_ fd: Int32, into buffer: inout [UInt8], at: Int, limit: Int = .max, offset: Int64,
                             path: String) throws(StreamrunError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { b in
                systemPread(fd, b.baseAddress! + at, min(limit, b.count - at), off_t(offset))
            }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw StreamrunError(.readFailed, "cannot read \(path): \(errorText())", retry: .transient)
        }
    }

    /// Writes every byte of `bytes` (retrying short writes and EINTR).
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StreamrunError) {
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

    /// Cuts the file back to `size` bytes and moves the write offset there: undoes a write that
    /// failed part of the way, so the same bytes can be written again.
    public static func truncate(_ fd: Int32, to size: Int, path: String) throws(StreamrunError) {
        if ftruncate(fd, off_t(size)) != 0 || lseek(fd, off_t(size), SEEK_SET) < 0 { throw writeError("cannot truncate", path) }
    }

    public static func fsync(_ fd: Int32, path: String) throws(StreamrunError) {
        if systemFsync(fd) != 0 { throw writeError("cannot fsync", path) }
    }

    // MARK: - Publishing

    /// Writes `path` atomically and durably: write `inProgress`, fsync it, rename it to `path`, and
    /// (if `syncDirectory`) fsync the directory. A crash leaves either the old file, or no file, or
    /// the complete new one — never a partial file under the final name. With `mode`, the file has
    /// exactly these permissions from its creation on (see ``create(_:mode:)``).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, inProgress: String, syncDirectory: Bool,
                                       mode: mode_t? = nil) throws(StreamrunError) {
        let fd = try create(inProgress, mode: mode)
        do throws(StreamrunError) {
            try writeAll(fd, bytes, path: inProgress)
            try fsync(fd, path: inProgress)
        } catch {
            close(fd)
            unlink(inProgress)
            throw error
        }
        close(fd)
        do throws(StreamrunError) {
            try rename(inProgress, path)
        } catch {
            unlink(inProgress)
            throw error
        }
        if syncDirectory { try fsyncDirectory(parent(of: path)) }
    }

    /// fsyncs a directory so that renames and new entries in it survive a crash.
    public static func fsyncDirectory(_ path: String) throws(StreamrunError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw writeError("cannot open directory", path) }
        defer { close(fd) }
        if systemFsync(fd) != 0 { throw writeError("cannot fsync directory", path) }
    }

    public static func rename(_ from: String, _ to: String) throws(StreamrunError) {
        if systemRename(from, to) != 0 { throw writeError("cannot rename \(from) to", to) }
    }

    // MARK: - Directories

    /// `mkdir -p`; returns whether the last component was created by this call.
    @discardableResult
    public static func makeDirectories(_ path: String) throws(StreamrunError) -> Bool {
        var current = path.hasPrefix("/") ? "" : "."
        var created = false
        for part in path.split(separator: "/") where !part.isEmpty {
            current += "/" + part
            if mkdir(current, 0o755) == 0 {
                created = true
            } else if errno == EEXIST {
                created = false
            } else {
                throw writeError("cannot create directory", path)
            }
        }
        if !isDirectory(path) {
            throw StreamrunError(.writeFailed, "cannot create directory \(path): not a directory", retry: .transient)
        }
        return created
    }

    /// Names in a directory (not `.` or `..`), sorted; nil if it cannot be opened (or the path holds a
    /// NUL byte, which the C call would silently cut the path at).
    public static func list(_ dir: String) -> [String]? {
        guard !dir.utf8.contains(0), let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: e.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// (directory, file name) of every file below `root`, depth first in name order. A directory
    /// reached again through a symbolic link is listed once (no endless walk around a link cycle).
    public static func files(below root: String) -> [(directory: String, name: String)] {
        var visited: Set<FileIdentity> = []
        return files(below: root, visited: &visited)
    }

    private static func files(below root: String, visited: inout Set<FileIdentity>) -> [(directory: String, name: String)] {
        guard let id = identity(root), visited.insert(id).inserted else { return [] }
        var out: [(String, String)] = []
        for name in list(root) ?? [] {
            let p = root + "/" + name
            if isDirectory(p) { out += files(below: p, visited: &visited) } else { out.append((root, name)) }
        }
        return out
    }

    /// The device and inode `path` names (following symbolic links), or nil when it cannot be read.
    public static func identity(_ path: String) -> FileIdentity? {
        var st = stat()
        guard !path.utf8.contains(0), stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(truncatingIfNeeded: st.st_dev), inode: UInt64(truncatingIfNeeded: st.st_ino))
    }

    /// Paths matching a shell glob pattern, sorted.
    public static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard systemGlob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// Why files cannot be created in `dir` (by creating and removing a probe file), or nil.
    public static func cannotWrite(in dir: String) -> String? {
        let probe = dir + "/.streamrun-write-probe"
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { return errorText() }
        close(fd)
        unlink(probe)
        return nil
    }

    // MARK: - Reading

    /// The whole file; nil if it does not exist.
    public static func readAll(_ path: String) throws(StreamrunError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StreamrunError(.readFailed, "cannot open \(path): \(errorText())", retry: .transient)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        if let size = fileSize(path), size > 0 { out.reserveCapacity(Int(size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StreamrunError(.readFailed, "cannot read \(path): \(errorText())", retry: .transient)
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
        return !path.utf8.contains(0) && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool { !path.utf8.contains(0) && access(path, F_OK) == 0 }

    // MARK: - Removing

    /// Removes a file if it is there; errors are ignored (cleanup of files nobody will read).
    public static func unlink(_ path: String) { _ = systemUnlink(path) }

    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws(StreamrunError) {
        if systemUnlink(path) != 0 && errno != ENOENT { throw writeError("cannot delete", path) }
    }

    /// Removes an empty directory; a missing one is not an error.
    public static func removeDirectory(_ path: String) throws(StreamrunError) {
        if rmdir(path) != 0 && errno != ENOENT { throw writeError("cannot delete directory", path) }
    }

    /// Removes a directory and everything in it; a missing directory is not an error.
    public static func removeTree(_ path: String) throws(StreamrunError) {
        guard let names = list(path) else {
            if !exists(path) { return }
            throw writeError("cannot open directory", path)
        }
        for name in names {
            let child = path + "/" + name
            if isDirectory(child) { try removeTree(child) } else { try remove(child) }
        }
        try removeDirectory(path)
    }

    /// The process's working directory.
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` made absolute against the working directory, with `.`, `..` and repeated slashes
    /// resolved by name (symbolic links are not followed).
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory part of `path` (`.` for a bare name).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func writeError(_ what: String, _ path: String) -> StreamrunError {
        StreamrunError(.writeFailed, "\(what) \(path): \(errorText())", retry: .transient)
    }
}

// The C functions whose names FileIO's own methods shadow.
#if canImport(Glibc)
private let systemPread = Glibc.pread
private let systemFsync = Glibc.fsync
private let systemRename = Glibc.rename
private let systemUnlink = Glibc.unlink
private let systemGlob = Glibc.glob
#elseif canImport(Darwin)
private let systemPread = Darwin.pread
private let systemFsync = Darwin.fsync
private let systemRename = Darwin.rename
private let systemUnlink = Darwin.unlink
private let systemGlob = Darwin.glob
#endif

/// Where a file is: its device and inode, which tell a directory reached twice (through a symbolic
/// link) from two directories with the same contents.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}
