import Foundation
import StreamrunCheckpoint
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime
import Testing

@testable import StreamrunConnectors
import StreamrunJob

/// `checkpoints show` and `state dump` on a checkpoint directory written by ``CheckpointStore``.
@Suite struct StateDumpDirectoryTests {
    /// A published checkpoint 7 of ``DumpJob``: the window at parallelism 2, the dedupe at 1, and no
    /// state for the sinks. Returns the checkpoint directory.
    static func checkpoint(embedJob: Bool = true) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dumpdir-\(UInt32.random(in: 0...UInt32.max))").path
        let store = CheckpointStore(root: root)
        var entries: [StateFileEntry] = []
        for s in DumpJob.split(try DumpJob.windowSnapshot("per-auction", IntStateKey.self), parallelism: 2) + [try DumpJob.dedupeSnapshot()] {
            entries.append(try store.writeStateFile(checkpoint: 7, snapshot: s))
        }
        let operators = try DumpJob.plan().nodes.map {
            CheckpointManifest.Operator(id: $0.id.name, type: $0.typeName, parallelism: $0.id == "per-auction" ? 2 : 1, maxParallelism: 128)
        }
        try store.publish(CheckpointManifest(job: "dump", checkpointID: 7, timestampMs: 1_704_067_215_250, operators: operators,
                                             stateFiles: entries, jobText: embedJob ? DumpJob.text : nil))
        return store.paths.directory(7)
    }

    @Test func dumpDecodesWithTheEmbeddedJob() throws {
        let dir = try Self.checkpoint()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        #expect(try StateDump.lines(directory: dir, operator: "once") == [
            #"{"keyGroup":21,"key":{"auction":1007,"channel":"Apple"},"lastSeen":1704067211000}"#,
            #"{"keyGroup":50,"key":{"auction":1008,"channel":"Google"},"lastSeen":1704067212000}"#,
            #"{"keyGroup":99,"key":{"auction":1007,"channel":"Google"},"lastSeen":1704067201000}"#,
        ])
        #expect(try StateDump.lines(directory: dir, operator: "per-auction").count == 3)
        #expect(try StateDump.lines(directory: dir, operator: "bids") == [])
    }

    @Test func withoutAnEmbeddedJobKeyedStateNeedsOne() throws {
        let dir = try Self.checkpoint(embedJob: false)
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        #expect(throws: StreamrunError.self) { try StateDump.lines(directory: dir, operator: "once") }
        #expect(try StateDump.lines(directory: dir, operator: "once", job: try DumpJob.plan()).count == 3)
    }

    @Test func unknownOperatorListsTheIds() throws {
        let dir = try Self.checkpoint()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        do {
            _ = try StateDump.lines(directory: dir, operator: "per_auction")
            Issue.record("no error")
        } catch {
            #expect(error.description == "\(dir): no operator \"per_auction\" in this checkpoint; its operators are: bids, once, per-auction, by-channel, all, a, b, c, d")
        }
    }

    @Test func notACheckpointDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.path
        do {
            _ = try StateDump.lines(directory: dir, operator: "once")
            Issue.record("no error")
        } catch {
            #expect(error.code == .checkpointNotFound)
            #expect(error.description == "\(dir): not a checkpoint directory (no _manifest.json; an incomplete checkpoint has none)")
        }
    }

    @Test func corruptStateFileIsOneError() throws {
        let dir = try Self.checkpoint()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let path = dir + "/op-once-00000.state.lz4"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try StateDump.lines(directory: dir, operator: "once")
            Issue.record("no error")
        } catch {
            #expect(error.code == .checkpointCorrupt)
            #expect(error.description.hasPrefix("\(path): checksum mismatch: the manifest says crc32c "))
        }
        #expect(throws: StreamrunError.self) { try CheckpointSummary.read(directory: dir) }
    }

    @Test func showSummarizesEveryOperator() throws {
        let dir = try Self.checkpoint()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let summary = try CheckpointSummary.read(directory: dir)
        let sizes = summary.operators.map { $0.stateFiles == 0 ? "-" : CheckpointSummary.size($0.bytes) }
        let text = summary.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(text.prefix(6)) == [
            "checkpoint 7 of job \"dump\"",
            "  directory  \(dir)",
            "  taken      2024-01-01T00:00:15.250Z (UTC)",
            "  state      3 files, \(CheckpointSummary.size(summary.bytes)) on disk",
            "  job        embedded (\(DumpJob.text.utf8.count) bytes of job.json)",
            "",
        ])
        let rows = text.dropFirst(6).map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows == [
            "OPERATOR TYPE PARALLELISM FILES SIZE STATE KEYS KEY GROUPS",
            "bids source:file 1 0 - - - -",
            "once dedupe 1 1 \(sizes[1]) 105 B 3 21, 50, 99",
            "per-auction window 2 2 \(sizes[2]) 192 B 2 105, 127",
            "by-channel window 1 0 - - 0 -",
            "all window 1 0 - - 0 -",
            "a sink:stdout 1 0 - - - -", "b sink:stdout 1 0 - - - -", "c sink:stdout 1 0 - - - -", "d sink:stdout 1 0 - - - -",
        ])
        let json = summary.json.compact
        #expect(json.contains(#"{"id":"per-auction","type":"window","parallelism":2,"stateFiles":2,"bytes":\#(summary.operators[2].bytes),"stateBytes":192,"keyGroups":[105,127],"keys":2}"#))
        #expect(json.contains(#""manifest":{"checkpointId":7,"formatVersion":1,"job":"dump","jobText":"#))
    }
}
