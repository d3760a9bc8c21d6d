import Foundation
import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct ManifestTests {
    static let manifest = CheckpointManifest(
        job: "nexmark-q5", checkpointID: 17, timestampMs: 1_700_000_123_456,
        operators: [.init(id: "bids", type: "file", parallelism: 1, maxParallelism: 128),
                    .init(id: "hot-items", type: "window", parallelism: 2, maxParallelism: 128)],
        stateFiles: [.init(path: "op-bids-00000.state.lz4", operatorID: "bids", subtask: 0, size: 120, crc32c: 0x0000_ABCD),
                     .init(path: "op-hot-items-00000.state.lz4", operatorID: "hot-items", subtask: 0, size: 4_000, crc32c: 0xE306_9283),
                     .init(path: "op-hot-items-00001.state.lz4", operatorID: "hot-items", subtask: 1, size: 3_999, crc32c: 1)],
        sources: ["bids": ["splits": [["file": "/data/bids.jsonl", "offset": 81_920, "done": false, "ratio": 0.25, "note": nil]]]],
        watermarks: ["hot-items": 1_700_000_120_000, "bids": -9_223_372_036_854_775_808])

    @Test func roundTrip() throws {
        let bytes = try ManifestCodec.encode(Self.manifest)
        #expect(try ManifestCodec.decode(bytes) == Self.manifest)
    }

    @Test func deterministicSortedValidJSON() throws {
        let a = try ManifestCodec.encode(Self.manifest)
        var shuffled = Self.manifest
        shuffled.sources = Dictionary(uniqueKeysWithValues: Self.manifest.sources.reversed())
        #expect(try ManifestCodec.encode(shuffled) == a)
        let text = String(decoding: a, as: UTF8.self)
        // Valid JSON that any tool reads, with the checksum as the last member.
        let object = try JSONSerialization.jsonObject(with: Data(a)) as? [String: Any]
        #expect(object?["checkpointId"] as? Int == 17)
        #expect(object?["formatVersion"] as? Int == 1)
        #expect((object?["checksum"] as? String)?.count == 8)
        #expect(text.hasSuffix("\"\n}\n"))
        #expect(text.contains("\"crc32c\" : \"e3069283\""))
        #expect(text.contains("\"file\" : \"/data/bids.jsonl\""))
        // Sorted keys: checkpointId < formatVersion < job < operators < sources < stateFiles < timestampMs < watermarks.
        let order = ["\"checkpointId\"", "\"formatVersion\"", "\"job\"", "\"operators\"", "\"sources\"", "\"stateFiles\"",
                     "\"timestampMs\"", "\"watermarks\"", "\"checksum\""].map { text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
    }

    @Test func checksumCoversEveryByte() throws {
        let bytes = try ManifestCodec.encode(Self.manifest)
        for i in bytes.indices {
            var bad = bytes
            bad[i] ^= 0x01 << UInt8(i % 7)
            #expect(throws: StreamrunError.self, "byte \(i)") { try ManifestCodec.decode(bad) }
        }
        for n in 0..<bytes.count {
            #expect(throws: StreamrunError.self, "length \(n)") { try ManifestCodec.decode(Array(bytes.prefix(n))) }
        }
    }

    @Test func checksumMismatchMessage() throws {
        var bytes = try ManifestCodec.encode(Self.manifest)
        let i = bytes.firstIndex(of: UInt8(ascii: "7"))!  // checkpointId 17 → 16
        bytes[i] = UInt8(ascii: "6")
        do {
            _ = try ManifestCodec.decode(bytes)
            Issue.record("decoded")
        } catch {
            #expect(error.code == .checkpointCorrupt)
            #expect(error.message.contains("checksum mismatch"))
        }
    }

    @Test func unknownVersionIsAClearError() throws {
        var future = Self.manifest
        future.formatVersion = 2
        do {
            _ = try ManifestCodec.decode(try ManifestCodec.encode(future))
            Issue.record("decoded")
        } catch {
            #expect(error.code == .checkpointUnsupportedVersion)
            #expect(error.message.contains("manifest format version 2 is not supported"))
        }
    }

    @Test func wellFormedButWrongShapeIsCorrupt() throws {
        // A valid checksum over JSON that is not a manifest.
        let body = Array("{\n  \"formatVersion\" : 1,\n  \"job\" : 3".utf8)
        let bytes = body + ManifestCodec.trailerStart + Array(CRC32C.hex(CRC32C.checksum(body)).utf8) + ManifestCodec.trailerEnd
        do {
            _ = try ManifestCodec.decode(bytes)
            Issue.record("decoded")
        } catch {
            #expect(error.code == .checkpointCorrupt)
            #expect(error.message.contains("format version 1"))
        }
    }

    @Test func unsafePathsAreRejected() throws {
        var m = Self.manifest
        m.stateFiles[0].path = "../../etc/passwd"
        #expect(throws: StreamrunError.self) { try ManifestCodec.decode(try ManifestCodec.encode(m)) }
        m.stateFiles[0].path = m.stateFiles[1].path
        #expect(throws: StreamrunError.self) { try ManifestCodec.decode(try ManifestCodec.encode(m)) }
    }
}
