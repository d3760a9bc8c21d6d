#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StreamrunCore

/// `control.json` in a job's state directory: where a running job's control endpoint listens.
///
/// The running job writes it once its server is bound (write a temporary file, fsync, rename, fsync
/// the directory, so a reader never sees half a file) and removes it when the job exits. The CLI
/// reads it to find the job; a file whose `pid` is no longer alive (the job was killed) counts as absent.
public struct ControlAddress: Sendable, Codable, Hashable {
    /// `http://127.0.0.1:PORT`.
    public var url: String
    public var pid: Int32

    public init(url: String, pid: Int32) {
        self.url = url
        self.pid = pid
    }
}

public enum ControlFile {
    public static let name = "control.json"

    public static func path(in stateDirectory: String) -> String { stateDirectory + "/" + name }

    /// Publishes `address` atomically in `stateDirectory` (created if missing).
    public static func write(_ address: ControlAddress, in stateDirectory: String) throws(StreamrunError) {
        let final = path(in: stateDirectory)
        let temp = stateDirectory + "/.\(name).\(address.pid).tmp"
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            let data = try JSONEncoder.control.encode(address) + Data("\n".utf8)
            let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw posixError("cannot create \(temp)") }
            defer { close(fd) }
            let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written == data.count, fsync(fd) == 0 else { throw posixError("cannot write \(temp)") }
            guard rename(temp, final) == 0 else { throw posixError("cannot rename \(temp) to \(final)") }
            let dir = open(stateDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 {
                _ = fsync(dir)
                close(dir)
            }
        } catch let e as StreamrunError {
            unlink(temp)
            throw e
        } catch {
            unlink(temp)
            throw StreamrunError(.writeFailed, "cannot write \(final): \(error.localizedDescription)", retry: .transient)
        }
    }

    /// The address of a live job, or nil when there is no file, it is unreadable, or its process is gone.
    public static func read(in stateDirectory: String) -> ControlAddress? {
        guard let data = FileManager.default.contents(atPath: path(in: stateDirectory)),
              let address = try? JSONDecoder().decode(ControlAddress.self, from: data),
              isAlive(address.pid) else { return nil }
        return address
    }

    /// Removes the file if it is this process's (another run of the job may have replaced it).
    public static func remove(in stateDirectory: String, pid: Int32 = getpid()) {
        let p = path(in: stateDirectory)
        guard let data = FileManager.default.contents(atPath: p),
              let address = try? JSONDecoder().decode(ControlAddress.self, from: data), address.pid == pid else { return }
        unlink(p)
    }

    /// Whether a process with this id exists (signal 0 checks without sending anything).
    public static func isAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    static func posixError(_ what: String) -> StreamrunError {
        StreamrunError(.writeFailed, "\(what): \(String(cString: strerror(errno)))", retry: .transient)
    }
}

extension JSONEncoder {
    /// Sorted keys, indented, slashes not escaped: JSON for people and `jq` alike.
    static var control: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
