import Foundation
import Testing

/// Issue 12: a record far longer than maxRecordSize (one line of gigabytes) between valid records is
/// dead-lettered with rule recordSize, its first 4096 bytes and its length, in bounded memory and
/// reading the file about once; the records after it are emitted.
///
/// The long line's middle is a hole of a sparse file (it reads as zero bytes): the test never holds
/// it in memory, and on a file system without holes it is written out, so its size follows the free
/// space (see `bigLineLength`).
@Suite struct LongRecordTests {
    /// A line of 256 MiB against 1 MB splits: 256 splits lie inside it. Each must stop at its own end
    /// instead of scanning to the line's (which read the line once per split), and none may keep its
    /// read buffer (1 MiB) once it has found it has no record.
    @Test func aLongLineIsReadAboutOnceInBoundedMemory() throws {
        let run = try Self.run(name: "long-line", lineLength: 256 << 20, splitSize: "1MB")
        // Each split reads up to two 1 MiB buffers from its start (one byte before it), and the
        // split that holds the line reads it whole: about three times the file, not once a split.
        #expect(run.bytesRead < 4 * run.fileSize, "\(run.bytesRead) bytes read for a file of \(run.fileSize)")
    }

    /// One line of 5 GB (1 GB when the disk has less than 20 GB free, in case holes are not
    /// supported) with the default maxRecordSize and splitSize. Takes minutes with a debug build,
    /// so it runs only with `STREAMRUN_BIG_TESTS=1`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STREAMRUN_BIG_TESTS"] == "1"))
    func aGigabytesLongLineIsDeadLetteredInBoundedMemory() throws {
        let dir = FileManager.default.temporaryDirectory
        let free = (try FileManager.default.attributesOfFileSystem(forPath: dir.path)[.systemFreeSize] as? NSNumber)?.int64Value ?? 0
        let length = free >= 20 << 30 ? 5 << 30 : 1 << 30
        let run = try Self.run(name: "big-line", lineLength: length, splitSize: nil)
        #expect(run.bytesRead < 4 * run.fileSize, "\(run.bytesRead) bytes read for a file of \(run.fileSize)")
    }

    struct Measured {
        var fileSize: Int
        var bytesRead: Int
    }

    /// Writes 1000 valid bids, a line of `lineLength` bytes (a valid bid's start, a hole, `"}`), 1000
    /// more; runs the job under a 200 MB memory bound; checks the output and the dead letter, prints
    /// the peak RSS, the bytes read and the time, and deletes the file.
    static func run(name: String, lineLength: Int, splitSize: String?) throws -> Measured {
        let dir = try Harness.tempDir(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let valid = try DeadLetterCorpus.generatedBids(count: 2000, in: dir)
        var c = DeadLetterCorpus()
        for record in valid.prefix(1000) { c.good(record) }
        let start = Array(valid[0].utf8.prefix(DeadLetterCorpus.stringStart(valid[0], "extra")))
        let offset = c.bytes.count, line = c.line
        c.bytes += start
        let bad = DeadLetterCorpus.Bad(line: line, offset: offset, rule: "recordSize", field: nil,
                                       raw: start + Array(repeating: 0, count: 4096 - start.count), rawLength: lineLength)
        c.bad.append(bad)
        let path = dir.appendingPathComponent("bids.jsonl")
        try Data(c.bytes).write(to: path)
        let handle = try FileHandle(forWritingTo: path)
        try handle.truncate(atOffset: UInt64(offset + lineLength - 2))  // the hole
        try handle.seekToEnd()
        var rest = DeadLetterCorpus()
        rest.raw(Array("\"}\n".utf8))
        for record in valid.dropFirst(1000) { rest.good(record) }
        try handle.write(contentsOf: rest.bytes)
        try handle.close()
        c.output += rest.output
        let fileSize = offset + lineLength + rest.bytes.count - 2
        #expect((try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) == fileSize)

        let options = (splitSize.map { #""splitSize": "\#($0)","# } ?? "")
        try Harness.write(DeadLetterTests.job(options: options), to: dir.appendingPathComponent("job.json"))
        let began = Date()
        let o = try BoundedRun.run(["job.json"], cwd: dir, timeout: 3600, maxResidentBytes: 200 << 20)
        let seconds = Date().timeIntervalSince(began)
        print("LongRecordTests[\(name)]: a \(lineLength >> 20) MiB line, file \(fileSize >> 20) MiB: peak RSS \(o.peakResidentBytes >> 20) MiB,",
              "\(o.bytesRead >> 20) MiB read, \(String(format: "%.1f", seconds)) s")
        #expect(!o.overMemory, "over 200 MB resident: \(o.peakResidentBytes) bytes")
        #expect(!o.timedOut)
        #expect(o.exitedNormally && o.status == 0, "\(o.stderr)")
        CheckpointDirs.expectNoStackTrace(o.stderr)
        c.expectOutput(dir.appendingPathComponent("out"), seed: 0)
        c.expectDeadLetters(dir.appendingPathComponent("dlq"), file: "bids.jsonl", seed: 0)
        c.expectSummary(o.stderr, deadLettered: true, seed: 0)
        return Measured(fileSize: fileSize, bytesRead: o.bytesRead)
    }
}
