import Foundation
import Testing

/// Runs the built `streamrun` binary as a child process, the way a user does.
enum Harness {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process, if one did (then `status` is the signal number).
        var signal: Int32? = nil
    }

    /// The package root (two levels above this file's folder).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `streamrun` executable built next to the test bundle.
    static let binary: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("streamrun").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for config in ["debug", "release"] {
            let p = packageRoot.appendingPathComponent(".build/\(config)/streamrun").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return packageRoot.appendingPathComponent(".build/debug/streamrun").path
    }()

    /// `streamrun` started in the background (stdout discarded, stderr kept), for tests that signal,
    /// kill or talk to a running job.
    struct Background {
        let process: Process
        let stderr: Pipe

        var isRunning: Bool { process.isRunning }
        var pid: Int32 { process.processIdentifier }

        /// Waits for the process to exit; its exit status and everything it wrote to stderr.
        func finish() -> (status: Int32, stderr: String) {
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }

    static func start(_ args: [String], cwd: URL) throws -> Background {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        return Background(process: p, stderr: err)
    }

    static func run(_ args: [String], cwd: URL? = nil, timeout: Double = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting, so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            Issue.record("streamrun \(args) timed out")
        }
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self),
                      signal: p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil)
    }

    /// A fresh temporary directory.
    static func tempDir(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamrun-it-\(safe)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Every file below `dir` (relative path → contents), hidden ones included.
    static func tree(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return out }
        for case let url as URL in e {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                let rel = String(url.path.dropFirst(dir.path.count + 1))
                out[rel] = (try? String(contentsOf: url, encoding: .utf8)) ?? "<binary>"
            }
        }
        return out
    }

    /// All lines of every committed (non-hidden) file below `dir`, sorted.
    static func sortedLines(_ dir: URL) -> [String] {
        tree(dir).filter { !$0.key.split(separator: "/").contains { $0.hasPrefix(".") } }
            .values.flatMap { $0.split(separator: "\n").map(String.init) }.sorted()
    }
}
