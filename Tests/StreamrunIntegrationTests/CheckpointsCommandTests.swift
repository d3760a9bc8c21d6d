import Foundation
import Testing

/// `streamrun checkpoints ls` lists every checkpoint directory with its status; `streamrun checkpoints
/// verify` reads every byte and names each bad file (exit 1).
@Suite struct CheckpointsCommandTests {
    let jobs = CheckpointCompatibilityTests()

    /// A finished run's checkpoints plus, after the newest (`n`), an incomplete copy (`n+1`, no
    /// manifest) and a corrupt one (`n+2`, whose manifest names checkpoint `n`).
    func checkpoints(_ name: String) throws -> (dir: URL, newest: Int) {
        let dir = try jobs.finishedRun(name)
        let newest = try #require(CheckpointDirs.complete(dir).last)
        let fm = FileManager.default
        for copy in [newest + 1, newest + 2] {
            try fm.copyItem(at: CheckpointDirs.directory(dir, newest), to: CheckpointDirs.directory(dir, copy))
        }
        try fm.removeItem(at: CheckpointDirs.directory(dir, newest + 1).appendingPathComponent("_manifest.json"))
        return (dir, newest)
    }

    /// The rows of the `ls` table as (id, time, files, status), after checking the header.
    func rows(_ stdout: String) -> [(id: Int, time: String, files: Int, status: String)] {
        var lines = stdout.split(separator: "\n").map(String.init)
        guard !lines.isEmpty else { return [] }
        #expect(lines.removeFirst().wholeMatch(of: #/ID  TIME \(UTC\) +SIZE  FILES  STATUS/#) != nil, "header: \(stdout)")
        return lines.compactMap { line in
            guard let m = line.wholeMatch(of: #/ *(\d+)  (\S+) +\d+(?:\.\d)? (?:B|KiB|MiB) +(\d+)  (.+)/#) else {
                Issue.record("not a row: \(line)")
                return nil
            }
            return (Int(m.1)!, String(m.2), Int(m.3)!, String(m.4))
        }
    }

    @Test func lsListsIdsAndStatus() throws {
        let (dir, newest) = try checkpoints("ckpt-ls")
        let r = try Harness.run(["checkpoints", "ls", "job.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let table = rows(r.stdout)
        #expect(table.map(\.id) == CheckpointDirs.ids(dir), "\(r.stdout)")
        for row in table {
            #expect(row.files == CheckpointDirs.files(dir, row.id).count, "\(r.stdout)")
            if row.id <= newest {
                #expect(row.status == "complete", "\(r.stdout)")
                #expect(row.time.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil, "\(r.stdout)")
            } else {
                #expect(row.time == "-", "\(r.stdout)")
            }
        }
        #expect(table.last(where: { $0.id == newest + 1 })?.status == "incomplete", "\(r.stdout)")
        let corrupt = table.last(where: { $0.id == newest + 2 })?.status ?? ""
        #expect(corrupt.hasPrefix("corrupt: ") && corrupt.contains("manifest is for checkpoint \(newest), not \(newest + 2)"), "\(r.stdout)")

        // The checkpoints directory itself gives the same table.
        let byDir = try Harness.run(["checkpoints", "ls", "state"], cwd: dir)
        #expect(byDir.status == 0 && byDir.stdout == r.stdout, "\(byDir.stdout)\(byDir.stderr)")

        // ls does not read state files: a flipped byte (same size) still lists as complete.
        let stateFile = try #require(CheckpointDirs.files(dir, newest).first { $0.hasSuffix(".state.lz4") })
        try CheckpointDirs.flipByte(CheckpointDirs.directory(dir, newest).appendingPathComponent(stateFile))
        let after = try Harness.run(["checkpoints", "ls", "job.json"], cwd: dir)
        #expect(rows(after.stdout).first { $0.id == newest }?.status == "complete", "\(after.stdout)")
    }

    @Test func lsOfAnEmptyOrMissingDirectory() throws {
        let dir = try Harness.tempDir("ckpt-ls-empty")
        let empty = try Harness.run(["checkpoints", "ls", dir.path])
        #expect(empty.status == 0)
        #expect(empty.stdout == "no checkpoints in \(dir.path)\n")
        let missing = dir.appendingPathComponent("nope").path
        let r = try Harness.run(["checkpoints", "ls", missing])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(missing): no such job.json or checkpoints directory\n")
    }

    @Test func verifyPassesAGoodCheckpointAndNamesAFlippedFile() throws {
        let (dir, newest) = try checkpoints("ckpt-verify")
        let name = CheckpointDirs.name(newest)
        let stateFiles = CheckpointDirs.files(dir, newest).filter { $0.hasSuffix(".state.lz4") }
        try #require(stateFiles.count >= 2)

        let good = try Harness.run(["checkpoints", "verify", "state/\(name)"], cwd: dir)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.isEmpty, "\(good.stderr)")
        let lines = good.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(name)/_manifest.json: ok", "\(good.stdout)")
        #expect(lines.sorted() == (["_manifest.json"] + stateFiles).map { "\(name)/\($0): ok" }.sorted(), "\(good.stdout)")

        let bad = stateFiles[1]
        try CheckpointDirs.flipByte(CheckpointDirs.directory(dir, newest).appendingPathComponent(bad))
        let r = try Harness.run(["checkpoints", "verify", "state/\(name)"], cwd: dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr == "error: checkpoint \(newest) failed verification (1 bad file)\n")
        for line in r.stdout.split(separator: "\n") {
            if line.hasPrefix("\(name)/\(bad): ") {
                let problem = line.dropFirst(name.count + bad.count + 3)
                #expect(problem.wholeMatch(of: #/checksum mismatch: the manifest says crc32c [0-9a-f]{8}, the file has [0-9a-f]{8}/#) != nil,
                        "\(line)")
            } else {
                #expect(line.hasSuffix(": ok"), "\(r.stdout)")
            }
        }
        #expect(r.stdout.contains("\(name)/\(bad): "), "\(r.stdout)")

        // The whole directory: the incomplete one is skipped, the two bad ones fail.
        let all = try Harness.run(["checkpoints", "verify", "job.json"], cwd: dir)
        #expect(all.status == 1)
        #expect(all.stdout.contains("\(CheckpointDirs.name(newest + 1)): incomplete (no _manifest.json), skipped\n"), "\(all.stdout)")
        #expect(all.stdout.contains("\(CheckpointDirs.name(newest + 2))/_manifest.json: manifest is for checkpoint \(newest), not \(newest + 2)"),
                "\(all.stdout)")
        #expect(all.stderr == "error: checkpoint \(newest) failed verification (1 bad file)\n"
            + "error: checkpoint \(newest + 2) failed verification (1 bad file)\n", "\(all.stderr)")
        CheckpointDirs.expectNoStackTrace(all.stderr)
    }

    @Test func verifyTakesASavepointDirectory() throws {
        let (dir, _) = try checkpoints("ckpt-verify-sp")
        let sp = try Harness.run(["savepoint", "--from-checkpoint", "job.json", "--dir", "sps"], cwd: dir)
        #expect(sp.status == 0, "\(sp.stderr)")
        let path = sp.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = (path as NSString).lastPathComponent
        try #require(name.hasPrefix("sp-"), "\(sp.stdout)")
        let r = try Harness.run(["checkpoints", "verify", path], cwd: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("\(name)/_manifest.json: ok\n"), "\(r.stdout)")
        #expect(!r.stdout.contains("no checkpoints"), "\(r.stdout)")
    }
}
