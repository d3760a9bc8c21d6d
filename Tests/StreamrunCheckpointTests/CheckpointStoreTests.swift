import Foundation
import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct CheckpointStoreTests {
    @Test func writePublishAndReadBack() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path + "/ckpt")
        let manifest = try Fixtures.checkpoint(store, id: 7)
        #expect(dir.names("ckpt") == ["chk-000007"])
        #expect(dir.names("ckpt/chk-000007") == [
            "_manifest.json", "op-bids-00000.state.lz4", "op-window-00000.state.lz4", "op-window-00001.state.lz4",
        ])  // no .inprogress leftovers
        #expect(try store.readManifest(7) == manifest)
        let window = try store.readStateFiles(manifest, operator: "window")
        #expect(window == [Fixtures.snapshot("window", subtask: 0, seed: 7), Fixtures.snapshot("window", subtask: 1, seed: 7)])
        let restored = try store.newestValid()
        #expect(restored.manifest == manifest)
        #expect(restored.warnings.isEmpty)
        let info = try store.list()
        #expect(info.count == 1)
        #expect(info[0].status == .complete)
        #expect(info[0].timestampMs == 1_700_000_007_000)
        #expect(info[0].fileCount == 4)
        #expect(info[0].sizeBytes == manifest.stateFiles.reduce(0) { $0 + $1.size } + Int64(try dir.read("ckpt/chk-000007/_manifest.json").count))
        #expect(try store.verify(7).isValid)
    }

    @Test func emptyOrMissingRoot() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path + "/nothing-yet")
        #expect(try store.list() == [])
        #expect(try store.newestValid() == RestoreSelection(manifest: nil, warnings: []))
        #expect(try store.retain(3) == [])
        do {
            _ = try store.readManifest(1)
            Issue.record("read a missing manifest")
        } catch {
            #expect(error.code == .checkpointNotFound)
            #expect(error.location == dir.path + "/nothing-yet/chk-000001/_manifest.json")
        }
    }

    /// A directory without `_manifest.json` is incomplete and never restored from.
    @Test func manifestLastDefinesCompleteness() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 1)
        try Fixtures.checkpoint(store, id: 2, publish: false)  // state files written, crash before the manifest
        try FileManager.default.createDirectory(atPath: dir.path + "/chk-000003", withIntermediateDirectories: true)
        try dir.write("chk-000003/._manifest.json.inprogress", Array("{\"half\":".utf8))  // crash mid-manifest
        let listing = try store.list()
        #expect(listing.map(\.id) == [1, 2, 3])
        #expect(listing.map(\.status) == [.complete, .incomplete, .incomplete])
        let restored = try store.newestValid()
        #expect(restored.manifest?.checkpointID == 1)
        #expect(restored.warnings.count == 2)
        #expect(restored.warnings.allSatisfy { $0.contains("incomplete") })
    }

    @Test func corruptNewestStateFileFallsBackToThePreviousCheckpoint() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 1)
        try Fixtures.checkpoint(store, id: 2)
        try dir.flip("chk-000002/op-window-00001.state.lz4", at: 20)
        #expect(try store.list().map(\.status) == [.complete, .complete])  // same size: only verify sees it
        let restored = try store.newestValid()
        #expect(restored.manifest?.checkpointID == 1)
        #expect(restored.warnings.count == 1)
        #expect(restored.warnings[0].contains("checkpoint 2 skipped"))
        #expect(restored.warnings[0].contains(dir.path + "/chk-000002/op-window-00001.state.lz4"))
        #expect(restored.warnings[0].contains("checksum mismatch"))
    }

    @Test func corruptNewestManifestFallsBack() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 1)
        try Fixtures.checkpoint(store, id: 2)
        try dir.flip("chk-000002/_manifest.json", at: 30)
        let listing = try store.list()
        guard case .corrupt(let why) = listing[1].status else {
            Issue.record("expected corrupt, got \(listing[1].status)")
            return
        }
        #expect(why.contains("chk-000002/_manifest.json"))
        #expect(listing[1].timestampMs == nil)
        let restored = try store.newestValid()
        #expect(restored.manifest?.checkpointID == 1)
        #expect(restored.warnings.count == 1)
        #expect(restored.warnings[0].contains("_manifest.json"))
    }

    @Test func missingStateFileMakesTheCheckpointCorrupt() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 1)
        try FileManager.default.removeItem(atPath: dir.path + "/chk-000001/op-bids-00000.state.lz4")
        guard case .corrupt(let why) = try store.list()[0].status else {
            Issue.record("expected corrupt")
            return
        }
        #expect(why.contains("op-bids-00000.state.lz4: missing"))
        #expect(try store.newestValid().manifest == nil)
        let v = try store.verify(1)
        #expect(!v.isValid)
        #expect(v.problems == [dir.path + "/chk-000001/op-bids-00000.state.lz4: file does not exist"])
    }

    @Test func verifyReportsEveryBadFile() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 4)
        #expect(try store.verify(4).files.map(\.problem) == [nil, nil, nil, nil])
        try dir.flip("chk-000004/op-window-00000.state.lz4", at: 9)
        var truncated = try dir.read("chk-000004/op-bids-00000.state.lz4")
        truncated.removeLast(3)
        try dir.write("chk-000004/op-bids-00000.state.lz4", truncated)
        let v = try store.verify(4)
        #expect(!v.isValid)
        #expect(v.files.count == 4)
        #expect(v.files[0].problem == nil)  // the manifest
        #expect(v.problems.count == 2)
        #expect(v.files.first { $0.path.hasSuffix("op-window-00000.state.lz4") }?.problem?.contains("checksum mismatch") == true)
        #expect(v.files.first { $0.path.hasSuffix("op-bids-00000.state.lz4") }?.problem?.contains("size mismatch") == true)
        #expect(throws: StreamrunError.self) { try store.verify(99) }
        try Fixtures.checkpoint(store, id: 5, publish: false)
        #expect(try store.verify(5).problems == [dir.path + "/chk-000005/_manifest.json: missing: the checkpoint is incomplete"])
    }

    /// A state file whose bytes match the manifest but hold another subtask's state is caught.
    @Test func verifyChecksTheHeaderAgainstTheManifest() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 1)
        var m = try store.readManifest(1)
        let other = try StateFile.encode(Fixtures.snapshot("window", subtask: 1))
        try dir.write("chk-000001/op-window-00000.state.lz4", other)
        let i = m.stateFiles.firstIndex { $0.path == "op-window-00000.state.lz4" }!
        m.stateFiles[i].size = Int64(other.count)
        m.stateFiles[i].crc32c = CRC32C.checksum(other)
        try FileManager.default.removeItem(atPath: store.paths.manifest(1))
        try store.publish(m)
        let v = try store.verify(1)
        #expect(v.problems.count == 1)
        #expect(v.problems[0].contains("holds operator window subtask 1"))
    }

    @Test func retentionOnRealFiles() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        for id in Int64(1)...3 { try Fixtures.checkpoint(store, id: CheckpointID(id)) }
        try Fixtures.checkpoint(store, id: 4, publish: false)  // abandoned
        for id in Int64(5)...6 { try Fixtures.checkpoint(store, id: CheckpointID(id)) }
        try Fixtures.checkpoint(store, id: 7, publish: false)  // in progress: must survive
        try FileManager.default.createDirectory(atPath: dir.path + "/not-a-checkpoint", withIntermediateDirectories: true)
        #expect(try store.retain(2) == [1, 2, 3, 4])
        #expect(dir.names() == ["chk-000005", "chk-000006", "chk-000007", "not-a-checkpoint"])
        #expect(try store.list().map(\.status) == [.complete, .complete, .incomplete])
        #expect(try store.retain(2) == [])
        try store.publish(try Fixtures.checkpoint(store, id: 7, publish: false))
        #expect(try store.retain(2) == [5])
        #expect(try store.newestValid().manifest?.checkpointID == 7)
    }

    /// A corrupt manifest among the newest does not count as one of the kept checkpoints: the next
    /// older complete one is kept instead, and the corrupt one goes.
    @Test func retentionSkipsACorruptNewerManifest() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        for id in Int64(1)...4 { try Fixtures.checkpoint(store, id: CheckpointID(id)) }
        try dir.write("chk-000003/_manifest.json", Array("{not json".utf8))
        #expect(try store.retain(2) == [1, 3])
        #expect(dir.names() == ["chk-000002", "chk-000004"])
    }

    @Test func publishIsIdempotentAndFinal() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        let m = try Fixtures.checkpoint(store, id: 1)
        try store.publish(m)  // again: a no-op
        var other = m
        other.timestampMs += 1
        #expect(throws: StreamrunError.self) { try store.publish(other) }
        #expect(throws: StreamrunError.self) { try store.writeStateFile(checkpoint: 1, snapshot: Fixtures.snapshot()) }
        #expect(throws: StreamrunError.self) { try store.abort(1) }
        #expect(try store.readManifest(1) == m)
    }

    @Test func publishChecksTheStateFilesArePresent() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        var m = try Fixtures.checkpoint(store, id: 1, publish: false)
        m.stateFiles[0].size += 1
        #expect(throws: StreamrunError.self) { try store.publish(m) }
        m.stateFiles[0].size -= 1
        m.stateFiles.append(.init(path: "op-ghost-00000.state.lz4", operatorID: "ghost", subtask: 0, size: 1, crc32c: 0))
        #expect(throws: StreamrunError.self) { try store.publish(m) }
        #expect(!dir.exists("chk-000001/_manifest.json"))
        // A checkpoint with no state at all (a stateless job) still publishes.
        try store.publish(CheckpointManifest(job: "j", checkpointID: 2, timestampMs: 0, operators: [], stateFiles: []))
        #expect(try store.list().map(\.status) == [.incomplete, .complete])
    }

    @Test func abortRemovesAnUnpublishedCheckpoint() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 3, publish: false)
        try store.abort(3)
        try store.abort(4)  // never existed: fine
        #expect(dir.names() == [])
    }

    /// `--fresh` forgets every checkpoint, published or not.
    @Test func deleteRemovesPublishedAndUnpublishedCheckpoints() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        try Fixtures.checkpoint(store, id: 1)
        try Fixtures.checkpoint(store, id: 2, publish: false)
        try store.delete(1)
        try store.delete(2)
        try store.delete(9)  // never existed: fine
        #expect(dir.names() == [])
        #expect(try store.list() == [])
    }

    @Test func rewritingAStateFileReplacesIt() throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        _ = try store.writeStateFile(checkpoint: 1, snapshot: Fixtures.snapshot(seed: 1))
        let entry = try store.writeStateFile(checkpoint: 1, snapshot: Fixtures.snapshot(seed: 2))
        #expect(try store.readStateFile(checkpoint: 1, entry: entry) == Fixtures.snapshot(seed: 2))
        #expect(dir.names("chk-000001") == ["op-window-00000.state.lz4"])
    }

    @Test func concurrentSubtasksWriteOneCheckpoint() async throws {
        let dir = TempDir()
        let store = CheckpointStore(root: dir.path)
        let entries = try await withThrowingTaskGroup(of: StateFileEntry.self) { group in
            for s in 0..<8 {
                group.addTask { try store.writeStateFile(checkpoint: 9, snapshot: Fixtures.snapshot("w", subtask: s, parallelism: 8)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try store.publish(CheckpointManifest(job: "j", checkpointID: 9, timestampMs: 9,
                                             operators: [.init(id: "w", type: "window", parallelism: 8, maxParallelism: 8)],
                                             stateFiles: entries.sorted { $0.subtask < $1.subtask }))
        let m = try #require(try store.newestValid().manifest)
        let all = try store.readStateFiles(m, operator: "w")
        #expect(all.map(\.subtask) == Array(0..<8))
        #expect(try OperatorSnapshot.keyGroups(all, in: 0..<8).count == 8)
    }
}
