import Foundation
import StreamrunCore

@testable import StreamrunCheckpoint

/// A seeded random source for tests, with the seed handling every checkpoint test shares.
typealias TestRandom = SplitMix64

extension SplitMix64 {
    /// A seed from CHECKPOINT_TEST_SEED, else a random one; printed so a failure can be replayed.
    static func seeded(_ test: String) -> (TestRandom, UInt64) {
        let env = ProcessInfo.processInfo.environment["CHECKPOINT_TEST_SEED"].flatMap { UInt64($0) }
        let seed = env ?? UInt64.random(in: 0...UInt64.max)
        print("\(test): seed \(seed) (replay with CHECKPOINT_TEST_SEED=\(seed))")
        return (TestRandom(seed: seed), seed)
    }

    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// A fresh directory under the system temp dir, removed when the value is released.
final class TempDir {
    let path: String

    init(_ label: String = "ckpt") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func read(_ relative: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + "/" + relative))) }

    func write(_ relative: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + relative)) }

    /// Flips every bit of the byte at `offset` of a file.
    func flip(_ relative: String, at offset: Int) throws {
        var b = try read(relative)
        b[offset] ^= 0xFF
        try write(relative, b)
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + relative) }

    func names(_ relative: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: relative.isEmpty ? path : path + "/" + relative)) ?? []).sorted()
    }
}

enum Fixtures {
    static func snapshot(_ op: String = "window", subtask: Int = 0, parallelism: Int = 2, maxParallelism: Int = 8,
                         seed: UInt8 = 1) -> OperatorSnapshot {
        let range = KeyGroups.range(subtask: subtask, maxParallelism: maxParallelism, parallelism: parallelism)
        var groups: [Int: [UInt8]] = [:]
        for g in range { groups[g] = Array(repeating: seed &+ UInt8(g), count: 10 + g) }
        return OperatorSnapshot(operatorID: op, subtask: subtask, parallelism: parallelism, maxParallelism: maxParallelism,
                                keyGroups: groups, named: ["watermark": [1, 2, 3], "offsets": Array("bids.jsonl:4096".utf8)])
    }

    /// Writes every subtask of `ops` (id, parallelism) and publishes checkpoint `id`.
    @discardableResult
    static func checkpoint(_ store: CheckpointStore, id: CheckpointID, ops: [(String, Int)] = [("bids", 1), ("window", 2)],
                           publish: Bool = true) throws -> CheckpointManifest {
        var entries: [StateFileEntry] = []
        for (op, p) in ops {
            for s in 0..<p {
                entries.append(try store.writeStateFile(checkpoint: id, snapshot: snapshot(op, subtask: s, parallelism: p, seed: UInt8(id.value & 0xFF))))
            }
        }
        let manifest = CheckpointManifest(
            job: "test-job", checkpointID: id, timestampMs: 1_700_000_000_000 + id.value * 1000,
            operators: ops.map { .init(id: $0.0, type: $0.0 == "bids" ? "file" : "window", parallelism: $0.1, maxParallelism: 8) },
            stateFiles: entries,
            sources: ["bids": ["splits": [["file": "bids.jsonl", "offset": .int(4096 * id.value)]]]],
            watermarks: ["window": Watermark(milliseconds: 1_700_000_000_000 + id.value)])
        if publish { try store.publish(manifest) }
        return manifest
    }
}
