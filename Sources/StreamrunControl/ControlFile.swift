#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import StreamrunCore
import StreamrunIO

/// What `control.json` in a job's state directory holds: where a running job's control endpoint
/// listens, and the token its requests must carry.
///
/// The running job writes it once its server is bound (write a temporary file, fsync, rename, fsync
/// the directory, so a reader never sees half a file) with mode 0600, since the token is the only
/// credential of the endpoint, and removes it when the job exits. The CLI reads it to find the job;
/// a file whose `pid` is no longer alive (the job was killed) counts as absent.
public struct ControlAddress: Sendable, Codable, Hashable {
    /// `http://127.0.0.1:PORT`.
    public var url: String
    public var pid: Int32
    /// The run's random token: `Authorization: Bearer <token>` (see ``ControlAccess``).
    public var token: String

    public init(url: String, pid: Int32, token: String = "") {
        self.url = url
        self.pid = pid
        self.token = token
    }
}

/// Reads, writes and removes `control.json` (``ControlAddress``).
public enum ControlFile {
    public static let name = "control.json"

    public static func path(in stateDirectory: String) -> String { stateDirectory + "/" + name }

    /// Publishes `address` atomically in `stateDirectory` (created if missing), readable by this user
    /// only (0600, from the moment the file is created).
    public static func write(_ address: ControlAddress, in stateDirectory: String) throws(StreamrunError) {
        let final = path(in: stateDirectory)
        let bytes: [UInt8]
        do {
            bytes = Array(try JSONEncoder.control.encode(address)) + [UInt8(ascii: "\n")]
        } catch {
            throw StreamrunError(.internalError, "cannot encode \(final): \(error)", retry: .internal)
        }
        try FileIO.makeDirectories(stateDirectory)
        try FileIO.writeAtomically(bytes, to: final, inProgress: stateDirectory + "/.\(name).\(address.pid).tmp",
                                  syncDirectory: true, mode: 0o600)
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
        FileIO.unlink(p)
    }

    /// Whether a process with this id exists (signal 0 checks without sending anything).
    public static func isAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
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
