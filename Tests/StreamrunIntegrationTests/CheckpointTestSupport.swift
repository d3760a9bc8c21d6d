import Foundation
import Testing

/// A job's checkpoint directory (`<job dir>/state`) as the tests see it, and a way to crash a run
/// once it has made progress.
enum CheckpointDirs {
    /// `chk-000017`.
    static func name(_ id: Int) -> String { "chk-" + String(format: "%06d", id) }

    static func directory(_ jobDir: URL, _ id: Int) -> URL {
        jobDir.appendingPathComponent("state").appendingPathComponent(name(id))
    }

    /// Every checkpoint directory's id, ascending.
    static func ids(_ jobDir: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: jobDir.appendingPathComponent("state").path)) ?? []
        return names.compactMap { $0.hasPrefix("chk-") ? Int($0.dropFirst(4)) : nil }.sorted()
    }

    /// The ids of the checkpoints that have a `_manifest.json` (complete, unless damaged), ascending.
    static func complete(_ jobDir: URL) -> [Int] {
        ids(jobDir).filter { FileManager.default.fileExists(atPath: directory(jobDir, $0).appendingPathComponent("_manifest.json").path) }
    }

    /// The files of a checkpoint directory, sorted by name.
    static func files(_ jobDir: URL, _ id: Int) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory(jobDir, id).path)) ?? []).sorted()
    }

    /// Inverts every bit of the byte in the middle of `file` (its size does not change).
    static func flipByte(_ file: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: file))
        try #require(!bytes.isEmpty, "\(file.path) is empty")
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: file)
    }

    /// Runs `streamrun -q job.json` in `dir` and SIGKILLs it as soon as `progress(dir)` holds (polled,
    /// so progress rather than wall-clock time decides). Returns whether the process was killed: false
    /// if it finished first. stderr of the run is returned for messages.
    @discardableResult
    static func runAndKill(_ dir: URL, when progress: (URL) -> Bool) throws -> (killed: Bool, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = ["-q", "job.json"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let guardDeadline = Date().addingTimeInterval(300)  // a hang guard, not a timing assertion
        while p.isRunning && !progress(dir) && Date() < guardDeadline { usleep(5_000) }
        var killed = false
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            killed = true
        }
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if killed && !progress(dir) { Issue.record("the job made no progress in 300 s: \(text)") }
        return (killed, text)
    }

    /// stderr must hold no crash report.
    static func expectNoStackTrace(_ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for marker in ["Fatal error", "Stack dump", "Backtrace", "Current stack trace"] {
            #expect(!stderr.contains(marker), "a crash report in stderr: \(stderr)", sourceLocation: sourceLocation)
        }
    }
}
