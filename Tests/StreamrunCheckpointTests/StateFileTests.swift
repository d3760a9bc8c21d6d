import Foundation
import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct StateFileTests {
    @Test func roundTrip() throws {
        let s = Fixtures.snapshot()
        let file = try StateFile.encode(s)
        #expect(Array(file.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])  // an LZ4 frame
        #expect(try StateFile.decode(file) == s)
    }

    @Test func emptyAndLargeSnapshots() throws {
        let empty = OperatorSnapshot(operatorID: "map_1", subtask: 0, parallelism: 1, maxParallelism: 1)
        #expect(try StateFile.decode(try StateFile.encode(empty)) == empty)
        var (rng, seed) = TestRandom.seeded("StateFileTests.emptyAndLargeSnapshots")
        var big = OperatorSnapshot(operatorID: "w", subtask: 3, parallelism: 4, maxParallelism: 32_768)
        for g in KeyGroups.range(subtask: 3, maxParallelism: 32_768, parallelism: 4) where Bool.random(using: &rng) {
            big.keyGroups[g] = rng.bytes(Int.random(in: 0...40, using: &rng))
        }
        big.named["split-offsets"] = rng.bytes(100_000)
        big.named[""] = []
        big.named["é"] = [1]
        #expect(try StateFile.decode(try StateFile.encode(big)) == big, "seed \(seed)")
    }

    @Test func encodingIsDeterministic() throws {
        var a = Fixtures.snapshot()
        var b = OperatorSnapshot(operatorID: a.operatorID, subtask: a.subtask, parallelism: a.parallelism, maxParallelism: a.maxParallelism)
        for (k, v) in a.keyGroups.sorted(by: { $0.key > $1.key }) { b.keyGroups[k] = v }
        for (k, v) in a.named.sorted(by: { $0.key > $1.key }) { b.named[k] = v }
        #expect(try StateFile.encodeContent(a) == StateFile.encodeContent(b))
        a.named["extra"] = []
        #expect(try StateFile.encodeContent(a) != StateFile.encodeContent(b))
    }

    /// The documented layout, checked byte by byte on a tiny snapshot.
    @Test func versionOneLayout() throws {
        let s = OperatorSnapshot(operatorID: "op", subtask: 1, parallelism: 2, maxParallelism: 4,
                                 keyGroups: [3: [0xAA], 2: [0xBB, 0xCC]], named: ["wm": [0x01]])
        let c = try StateFile.encodeContent(s)
        let body: [UInt8] = Array("SRSN".utf8) + [1, 0]  // magic, version 1
            + [2] + Array("op".utf8)                       // operator id
            + [1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0]         // subtask, parallelism, maxParallelism
            + [3]                                          // section count
            + [0, 2, 0, 0, 0, 2]                           // key group 2, 2 bytes
            + [0, 3, 0, 0, 0, 1]                           // key group 3, 1 byte
            + [1, 2] + Array("wm".utf8) + [1]              // named "wm", 1 byte
            + [0xBB, 0xCC, 0xAA, 0x01]                     // payloads in table order
        let crc = CRC32C.checksum(body)
        #expect(c == body + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
    }

    /// Any damaged byte of the content is caught (by the CRC-32C, or as a bad magic or version).
    @Test func everyFlippedByteIsDetected() throws {
        let content = try StateFile.encodeContent(Fixtures.snapshot())
        for i in content.indices {
            var bad = content
            bad[i] ^= 0x01 << UInt8(i % 8)
            #expect(throws: StreamrunError.self, "byte \(i)") { try StateFile.decodeContent(bad) }
        }
        for i in 6..<content.count {
            var bad = content
            bad[i] ^= 0xFF
            do {
                _ = try StateFile.decodeContent(bad)
                Issue.record("byte \(i) flip went unnoticed")
            } catch {
                #expect(error.code == .checkpointCorrupt)
                #expect(error.message.contains("checksum mismatch"), "byte \(i): \(error.message)")
            }
        }
    }

    @Test func everyFlippedByteOfTheFileIsDetected() throws {
        let file = try StateFile.encode(Fixtures.snapshot())
        for i in file.indices {
            var bad = file
            bad[i] ^= 0x10
            #expect(throws: StreamrunError.self, "byte \(i)") { try StateFile.decode(bad) }
        }
    }

    @Test func truncationIsDetected() throws {
        let content = try StateFile.encodeContent(Fixtures.snapshot())
        for n in 0..<content.count {
            #expect(throws: StreamrunError.self, "length \(n)") { try StateFile.decodeContent(Array(content.prefix(n))) }
        }
        let file = try StateFile.encode(Fixtures.snapshot())
        #expect(throws: StreamrunError.self) { try StateFile.decode(Array(file.dropLast(5))) }
        #expect(throws: StreamrunError.self) { try StateFile.decode([]) }
    }

    @Test func unknownVersionIsAClearError() throws {
        var content = try StateFile.encodeContent(Fixtures.snapshot())
        content[4] = 7  // version 7, little-endian
        let body = content.count - 4
        let crc = CRC32C.checksum(content[0..<body])  // even with a valid checksum
        content[body..<body + 4] = [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
        do {
            _ = try StateFile.decode(try LZ4Frame.compress(content))
            Issue.record("version 7 decoded")
        } catch {
            #expect(error.code == .checkpointUnsupportedVersion)
            #expect(error.message.contains("version 7 is not supported"))
            #expect(error.message.contains("1...1"))
        }
    }

    /// Structure errors behind a valid checksum: duplicates, unknown kinds, out-of-range header values.
    @Test func structuralErrorsBehindAValidChecksum() throws {
        func content(_ build: (inout SnapshotWriter) -> Void) -> [UInt8] {
            var w = SnapshotWriter()
            w.writeRaw(Array("SRSN".utf8)); w.writeUInt16(1)
            build(&w)
            w.writeUInt32(CRC32C.checksum(w.bytes))
            return w.bytes
        }
        func header(_ w: inout SnapshotWriter, subtask: UInt32 = 0, parallelism: UInt32 = 1, maxParallelism: UInt32 = 4) {
            w.writeString("op"); w.writeUInt32(subtask); w.writeUInt32(parallelism); w.writeUInt32(maxParallelism)
        }
        let cases: [(String, [UInt8])] = [
            ("key group 1 appears twice", content { w in
                header(&w); w.writeCount(2)
                w.writeUInt8(0); w.writeUInt32(1); w.writeCount(0)
                w.writeUInt8(0); w.writeUInt32(1); w.writeCount(0)
            }),
            ("section \"a\" appears twice", content { w in
                header(&w); w.writeCount(2)
                w.writeUInt8(1); w.writeString("a"); w.writeCount(1)
                w.writeUInt8(1); w.writeString("a"); w.writeCount(0)
                w.writeRaw([7])
            }),
            ("unknown section kind 9", content { w in header(&w); w.writeCount(1); w.writeUInt8(9) }),
            ("key group 4 must be in 0..<4", content { w in header(&w); w.writeCount(1); w.writeUInt8(0); w.writeUInt32(4); w.writeCount(0) }),
            ("subtask 1 must be in 0..<1", content { w in header(&w, subtask: 1); w.writeCount(0) }),
            ("exceeds the 1 bytes left", content { w in header(&w); w.writeCount(1); w.writeUInt8(0); w.writeUInt32(0); w.writeCount(5); w.writeRaw([1]) }),
            ("truncated input", content { w in
                header(&w); w.writeCount(2)
                w.writeUInt8(0); w.writeUInt32(0); w.writeCount(1)
                w.writeUInt8(0); w.writeUInt32(1); w.writeCount(1)
                w.writeRaw([1])
            }),
            ("trailing", content { w in header(&w); w.writeCount(0); w.writeRaw([0]) }),
        ]
        for (expected, bytes) in cases {
            do {
                _ = try StateFile.decodeContent(bytes)
                Issue.record("decoded: \(expected)")
            } catch {
                #expect(error.code == .checkpointCorrupt)
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }

    @Test func badMagicIsAClearError() throws {
        do {
            _ = try StateFile.decode(try LZ4Frame.compress(Array("{\"not\": \"a state file\"}".utf8)))
            Issue.record("decoded")
        } catch {
            #expect(error.code == .checkpointCorrupt)
            #expect(error.message.contains("SRSN"))
        }
        do {
            _ = try StateFile.decode(Array("plain text".utf8))
            Issue.record("decoded")
        } catch {
            #expect(error.message.contains("LZ4"))
        }
    }

    @Test func inconsistentSnapshotsAreNotWritten() {
        let bad = [
            OperatorSnapshot(operatorID: "../etc", subtask: 0, parallelism: 1, maxParallelism: 4),
            OperatorSnapshot(operatorID: "", subtask: 0, parallelism: 1, maxParallelism: 4),
            OperatorSnapshot(operatorID: "w", subtask: 2, parallelism: 2, maxParallelism: 4),
            OperatorSnapshot(operatorID: "w", subtask: 0, parallelism: 5, maxParallelism: 4),
            OperatorSnapshot(operatorID: "w", subtask: 0, parallelism: 1, maxParallelism: 4, keyGroups: [4: []]),
            OperatorSnapshot(operatorID: "w", subtask: 0, parallelism: 1, maxParallelism: 4, keyGroups: [-1: []]),
        ]
        for s in bad {
            #expect(throws: StreamrunError.self, "\(s)") { try StateFile.encode(s) }
        }
    }

    /// Random bytes (raw, and with a valid magic, version and checksum) never crash the decoder.
    @Test func fuzzDecoderNeverCrashes() throws {
        var (rng, seed) = TestRandom.seeded("StateFileTests.fuzzDecoderNeverCrashes")
        for _ in 0..<1_000 {
            let noise = rng.bytes(Int.random(in: 0...80, using: &rng))
            #expect(throws: StreamrunError.self, "seed \(seed)") { try StateFile.decodeContent(noise) }
            var body = Array("SRSN".utf8) + [1, 0] + noise
            let crc = CRC32C.checksum(body)
            body += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
            _ = try? StateFile.decodeContent(body)  // may even decode; must not trap
        }
        // Mutations of a real file after re-checksumming: structure checks alone must hold.
        let content = try StateFile.encodeContent(Fixtures.snapshot())
        for _ in 0..<2_000 {
            var body = Array(content.dropLast(4))
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                body[Int.random(in: 6..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { body.removeLast(Int.random(in: 0..<(body.count - 6), using: &rng)) }
            let crc = CRC32C.checksum(body)
            body += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
            _ = try? StateFile.decodeContent(body)
        }
    }

    @Test func keyGroupsForRescaling() throws {
        let old = (0..<2).map { Fixtures.snapshot(subtask: $0, parallelism: 2, maxParallelism: 8) }
        for p in 1...8 {
            var seen: [Int: [UInt8]] = [:]
            for s in 0..<p {
                let range = KeyGroups.range(subtask: s, maxParallelism: 8, parallelism: p)
                let mine = try OperatorSnapshot.keyGroups(old, in: range)
                #expect(Set(mine.keys) == Set(range))
                seen.merge(mine) { a, _ in a }
            }
            #expect(seen == old[0].keyGroups.merging(old[1].keyGroups) { a, _ in a })
        }
        #expect(throws: StreamrunError.self) { try OperatorSnapshot.keyGroups([old[0], old[0]], in: 0..<8) }
    }

    /// State files open with the standard `lz4` tool, as docs/checkpoint-format.md promises.
    @Test func lz4CommandLineDecodesAStateFile() throws {
        let lz4 = ["/usr/bin/lz4", "/usr/local/bin/lz4"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(lz4 != nil, "the lz4 command line tool is not installed (.ci/run installs it)")
        let dir = TempDir("lz4")
        let store = CheckpointStore(root: dir.path)
        let s = Fixtures.snapshot()
        let entry = try store.writeStateFile(checkpoint: 1, snapshot: s)
        let input = store.paths.file(checkpoint: 1, relativePath: entry.path), output = dir.path + "/state.bin"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: lz4!)
        p.arguments = ["-d", "-q", "-f", input, output]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(Array(content.prefix(6)) == Array("SRSN".utf8) + [1, 0])
        #expect(try StateFile.decodeContent(content) == s)
    }
}
