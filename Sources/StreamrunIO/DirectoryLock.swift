#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore
import Synchronization

/// An exclusive lock on a directory for one process: `flock` on the empty file `<directory>/.lock`.
/// The kernel drops the lock when the process exits, also on `kill -9`, so a crashed owner never
/// leaves a stale lock behind; the file itself may stay (it never changes, so a directory's
/// contents do not depend on who ran last).
///
/// - Important: A lock is per open file, so two ``acquire(directory:)`` calls in one process
///   exclude each other too.
public final class DirectoryLock: Sendable {
    public static let fileName = ".lock"

    /// What ``acquire(directory:)`` found: the lock, or that another holds it.
    public enum Outcome: Sendable {
        case acquired(DirectoryLock)
        case held
    }

    public let directory: String
    private let fd: Mutex<Int32?>

    private init(directory: String, fd: Int32) {
        self.directory = directory
        self.fd = Mutex(fd)
    }

    public var path: String { directory + "/" + Self.fileName }

    /// Takes the lock on `directory` (created if missing) without waiting.
    public static func acquire(directory: String) throws(StreamrunError) -> Outcome {
        try FileIO.makeDirectories(directory)
        let path = directory + "/" + fileName
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 { throw FileIO.writeError("cannot open", path) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                FileIO.close(fd)
                if code == EWOULDBLOCK { return .held }
                throw StreamrunError(.writeFailed, "cannot lock \(path): \(FileIO.errorText(code))", retry: .transient)
            }
            // A releasing owner may have removed the file between our open and flock: then the lock
            // is on a file nobody else will open. Try again on the file the path names now.
            guard Self.sameFile(fd, path) else {
                FileIO.close(fd)
                continue
            }
            return .acquired(DirectoryLock(directory: directory, fd: fd))
        }
    }

    /// Releases the lock. With `removeDirectoryIfEmpty`, the lock file and the directory go too when
    /// nothing else is in it (a job without checkpoints keeps nothing there between runs).
    public func release(removeDirectoryIfEmpty: Bool = false) {
        guard let fd = fd.withLock({ f -> Int32? in
            defer { f = nil }
            return f
        }) else { return }
        if removeDirectoryIfEmpty, FileIO.list(directory) == [Self.fileName] {
            // Unlinked while still held: whoever opens the path next creates a new file.
            FileIO.unlink(path)
            try? FileIO.removeDirectory(directory)
        }
        FileIO.close(fd)
    }

    deinit { if let fd = fd.withLock({ $0 }) { FileIO.close(fd) } }

    private static func sameFile(_ fd: Int32, _ path: String) -> Bool {
        var a = stat(), b = stat()
        guard fstat(fd, &a) == 0, stat(path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
