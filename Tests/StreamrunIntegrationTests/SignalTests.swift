import Foundation
import Testing

/// SIGINT / SIGTERM stop a running (unbounded) job gracefully: sources stop, the pipeline drains,
/// and everything read so far is committed. A second signal exits at once.
@Suite struct SignalTests {
    static let job = #"""
        { "name": "follow", "parallelism": 2,
          "sources": [{ "id": "in", "type": "file", "path": "in", "format": "jsonl", "follow": true,
                        "schema": { "id": "int", "name": "string" } }],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["in"], "path": "out", "format": "csv" }] }
        """#

    static func lines(_ range: Range<Int>) -> String {
        range.map { #"{"id": \#($0), "name": "n\#($0)"}"# + "\n" }.joined()
    }

    func start(_ dir: URL) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = ["job.json"]
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func firstSignalDrainsAndCommits(_ sig: Int32) async throws {
        let dir = try Harness.tempDir("signal\(sig)")
        try Harness.write(Self.job, to: dir.appendingPathComponent("job.json"))
        try Harness.write(Self.lines(0..<500), to: dir.appendingPathComponent("in/a.jsonl"))
        let (p, err) = try start(dir)
        try await Task.sleep(for: .milliseconds(700))
        // A new file while running is picked up too.
        try Harness.write(Self.lines(500..<800), to: dir.appendingPathComponent("in/b.jsonl"))
        try await Task.sleep(for: .milliseconds(1800))
        kill(p.processIdentifier, sig)
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "stderr: \(stderr)")
        let got = Harness.sortedLines(dir.appendingPathComponent("out"))
        let want = (0..<800).map { "\($0),n\($0)" }.sorted()
        #expect(got.count == want.count && got == want, "got \(got.count) lines, missing \(Set(want).subtracting(got).count), extra \(Set(got).subtracting(want).count)")
        let hidden = Harness.tree(dir.appendingPathComponent("out")).keys.filter { $0.contains("/.") || $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "in-progress files left: \(hidden)")
    }
}
