import Foundation
import Testing

/// `streamrun job.json --fresh`: refused while a sink directory holds committed output (a fresh run
/// would mix its files with the old ones); otherwise it forgets every checkpoint and starts at the
/// beginning.
@Suite struct FreshStartTests {
    let jobs = CheckpointCompatibilityTests()

    @Test func freshIsRefusedWhileTheSinkHoldsCommittedOutput() throws {
        let dir = try jobs.finishedRun("fresh-refused")
        let out = dir.appendingPathComponent("out")
        let before = (Harness.tree(out), Harness.tree(dir.appendingPathComponent("state")))
        try #require(!before.0.isEmpty)

        let r = try Harness.run([dir.appendingPathComponent("job.json").path, "--fresh"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr == "error: sinks[0].path: --fresh: \(out.path) already holds committed output of sink \"out\"; "
            + "remove it (or choose another path) before starting over\n")
        #expect(Harness.tree(out) == before.0, "the output was touched")
        #expect(Harness.tree(dir.appendingPathComponent("state")) == before.1, "the checkpoints were touched")
    }

    @Test func freshIgnoresAndReplacesExistingCheckpoints() throws {
        let dir = try jobs.finishedRun("fresh-start")
        let out = dir.appendingPathComponent("out")
        let expected = RecoveryGoldenTests.streams(out)
        try #require(!expected.isEmpty)

        // Without --fresh, a rerun resumes from the final checkpoint: there is nothing left to read.
        let committed = Harness.tree(out)
        let resumed = try Harness.run(["job.json"], cwd: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming from checkpoint "), "\(resumed.stderr)")
        #expect(Harness.tree(out) == committed, "a resumed finished job changed its output")

        let old = CheckpointDirs.ids(dir)
        try #require(!old.isEmpty)
        for id in old {
            try Harness.write("old", to: CheckpointDirs.directory(dir, id).appendingPathComponent("old-marker"))
        }
        try FileManager.default.removeItem(at: out)
        let fresh = try Harness.run(["job.json", "--fresh"], cwd: dir)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(!fresh.stderr.contains("resuming"), "\(fresh.stderr)")
        CheckpointDirs.expectNoStackTrace(fresh.stderr)
        #expect(RecoveryGoldenTests.streams(out) == expected, "--fresh must read everything again")

        let now = CheckpointDirs.ids(dir)
        #expect(!now.isEmpty, "the fresh run leaves its own final checkpoint")
        let leftovers = now.filter { CheckpointDirs.files(dir, $0).contains("old-marker") }
        #expect(leftovers.isEmpty, "old checkpoint directories survived --fresh: \(leftovers) (before: \(old), after: \(now))")
        #expect(CheckpointDirs.complete(dir) == now)
    }

    /// Deleting a checkpointed job's output and running it again (without --fresh) cannot resume:
    /// the checkpoint's files are gone. One user error naming the sink and what to do, no restarts,
    /// nothing written.
    @Test func resumingWithDeletedOutputIsOneUserError() throws {
        let dir = try jobs.finishedRun("output-deleted")
        let out = dir.appendingPathComponent("out")
        try FileManager.default.removeItem(at: out)
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status != 0, "\(r.stderr)")
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("sink \"out\"") && r.stderr.contains("is missing")
            && r.stderr.contains("start over with --fresh"), "\(r.stderr)")
        #expect(!r.stderr.contains("restarting"), "a user error must not be retried: \(r.stderr)")
        CheckpointDirs.expectNoStackTrace(r.stderr)
        #expect(Harness.tree(out).isEmpty, "output written: \(Harness.tree(out).keys)")
    }
}
