import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `streamrun` binary with a time and a memory bound: a child that runs past the
/// timeout, or whose resident memory passes the bound, is killed and the outcome says so, so a test
/// records a failure instead of hanging or letting the machine swap.
enum BoundedRun {
    struct Outcome {
        var status: Int32
        /// The signal that ended the process, when one did (including the SIGKILL sent on a bound).
        var signal: Int32?
        var timedOut = false
        var overMemory = false
        /// The largest resident set seen (VmRSS, or the kernel's high-water mark VmHWM), polled.
        var peakResidentBytes = 0
        /// Bytes the process read through read(2) and pread(2) (`rchar` of /proc/<pid>/io), at the last poll.
        var bytesRead = 0
        var stdout: String
        var stderr: String

        /// Ended by itself, with an exit status.
        var exitedNormally: Bool { signal == nil && !timedOut && !overMemory }
    }

    static func run(_ args: [String], cwd: URL, timeout: Double, maxResidentBytes: Int) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
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
        let start = Date()
        var timedOut = false, overMemory = false, peak = 0, read = 0
        while p.isRunning {
            let rss = residentBytes(p.processIdentifier)
            peak = max(peak, rss, statusBytes(p.processIdentifier, "VmHWM:"))
            read = max(read, bytesRead(p.processIdentifier))
            if rss > maxResidentBytes {
                overMemory = true
            } else if Date().timeIntervalSince(start) > timeout {
                timedOut = true
            }
            if overMemory || timedOut {
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        p.waitUntilExit()
        group.wait()
        return Outcome(status: p.terminationStatus, signal: p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil,
                       timedOut: timedOut, overMemory: overMemory, peakResidentBytes: peak, bytesRead: read,
                       stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// VmRSS of a process, in bytes (0 when it cannot be read, e.g. it has just exited).
    static func residentBytes(_ pid: Int32) -> Int { statusBytes(pid, "VmRSS:") }

    /// `rchar` of a process: the bytes its read calls returned (0 when it cannot be read).
    static func bytesRead(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").first { $0.hasPrefix("rchar:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    /// A size line (`VmRSS:`, `VmHWM:`) of /proc/<pid>/status, in bytes (0 when it cannot be read).
    static func statusBytes(_ pid: Int32, _ key: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let fields = line.split { $0 == " " || $0 == "\t" }
            return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * 1024
        }
        return 0
    }
}
