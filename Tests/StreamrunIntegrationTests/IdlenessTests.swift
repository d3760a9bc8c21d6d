import Foundation
import Synchronization
import Testing

/// A followed file at parallelism 2: one source subtask has no split. With `idleTimeout` it goes idle,
/// so windows downstream still fire while the job runs (Flink's idle-source problem, solved the same way).
@Suite struct IdlenessTests {
    final class Collected: Sendable {
        let data = Mutex(Data())
    }

    @Test func idleSubtaskDoesNotHoldWindowsBack() async throws {
        let dir = try Harness.tempDir()
        let job = #"""
            { "name": "idle", "parallelism": 2,
              "sources": [{ "id": "in", "type": "file", "path": "in", "follow": true,
                            "schema": { "k": "int", "t": "timestamp" },
                            "eventTime": { "field": "t", "maxOutOfOrderness": "0s", "idleTimeout": "200ms" } }],
              "operators": [{ "id": "w", "type": "window", "inputs": ["in"], "keyBy": ["k"],
                              "window": { "type": "tumbling", "size": "1s" }, "aggregates": { "n": "count()" } }],
              "sinks": [{ "id": "show", "type": "stdout", "inputs": ["w"], "format": "csv" }] }
            """#
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        // Event times 0 s … 4.9 s: windows [0,1s) … [3s,4s) can fire; [4s,5s) waits for more data.
        let lines = (0..<50).map { #"{"k": 1, "t": \#($0 * 100)}"# + "\n" }.joined()
        try Harness.write(lines, to: dir.appendingPathComponent("in/a.jsonl"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = ["job.json"]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            collected.data.withLock { $0.append(d) }
        }
        try p.run()
        try await Task.sleep(for: .milliseconds(2500))
        let whileRunning = String(decoding: collected.data.withLock { $0 }, as: UTF8.self)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        #expect(whileRunning.split(separator: "\n").sorted() == ["1,0,1000,10", "1,1000,2000,10", "1,2000,3000,10", "1,3000,4000,10"],
                "stdout while running: \(whileRunning)")
        #expect(p.terminationStatus == 0)
    }
}
