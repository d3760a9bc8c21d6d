import Foundation
import Testing

/// Through the binary: a byte flipped in a state file of the newest checkpoint makes the next run
/// warn, naming the file, and resume from the previous checkpoint; its output is still exactly that
/// of an uninterrupted run (the sink removes what the skipped checkpoint had published).
@Suite struct CorruptCheckpointTests {
    static let source = RecoveryGoldenTests.generatorSource

    @Test func corruptNewestCheckpointFallsBackToThePreviousOne() throws {
        let golden = RecoveryGoldenTests()
        let a = try golden.prepare("corrupt-a", source: Self.source, windowed: true)
        let ra = try Harness.run(["-q", "job.json"], cwd: a)
        #expect(ra.status == 0, "\(ra.stderr)")
        let expected = RecoveryGoldenTests.streams(a.appendingPathComponent("out"))
        #expect(!expected.isEmpty)

        // Crash once two checkpoints are complete (the job retains 2).
        let b = try golden.prepare("corrupt-b", source: Self.source, windowed: true)
        let (killed, _) = try CheckpointDirs.runAndKill(b) { CheckpointDirs.complete($0).count >= 2 }
        let complete = CheckpointDirs.complete(b)
        try #require(complete.count >= 2, "checkpoints: \(CheckpointDirs.ids(b))")
        let (previous, newest) = (complete[complete.count - 2], complete[complete.count - 1])

        let stateFile = try #require(CheckpointDirs.files(b, newest).first { $0.hasPrefix("op-per-auction-") },
                                     "no window state in \(CheckpointDirs.files(b, newest))")
        try CheckpointDirs.flipByte(CheckpointDirs.directory(b, newest).appendingPathComponent(stateFile))

        let rb = try Harness.run(["job.json"], cwd: b)
        #expect(rb.status == 0, "\(rb.stderr)")
        let name = CheckpointDirs.name(newest)
        #expect(rb.stderr.contains("warning: checkpoint \(newest) skipped (\(name) failed verification): "), "\(rb.stderr)")
        #expect(rb.stderr.contains("\(name)/\(stateFile): checksum mismatch: the manifest says crc32c "), "\(rb.stderr)")
        #expect(rb.stderr.contains("resuming from checkpoint \(previous) "), "\(rb.stderr)")
        CheckpointDirs.expectNoStackTrace(rb.stderr)

        let got = RecoveryGoldenTests.streams(b.appendingPathComponent("out"))
        #expect(got.keys.sorted() == expected.keys.sorted(), "killed: \(killed)")
        for (k, v) in expected {
            #expect(got[k] == v, "stream \(k) differs (\(got[k]?.count ?? 0) vs \(v.count) bytes), killed: \(killed)")
        }
    }
}
