import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

/// The optional `jobText` member: the job.json a checkpoint was taken with.
@Suite struct ManifestJobTextTests {
    static let job = "{ \"name\": \"q5\",\n  \"sources\": [] }\n"

    /// A manifest written before `jobText` existed, byte for byte.
    static func oldManifest() -> [UInt8] {
        let body = Array("""
        {
          "checkpointId" : 3,
          "formatVersion" : 1,
          "job" : "q5",
          "operators" : [
            {
              "id" : "bids",
              "maxParallelism" : 128,
              "parallelism" : 1,
              "type" : "source:file"
            }
          ],
          "sources" : {

          },
          "stateFiles" : [

          ],
          "timestampMs" : 1700000000000,
          "watermarks" : {

          }
        """.utf8)
        return body + ManifestCodec.trailerStart + Array(CRC32C.hex(CRC32C.checksum(body)).utf8) + ManifestCodec.trailerEnd
    }

    @Test func roundTripsWithNewlinesAndQuotes() throws {
        var m = CheckpointManifest(job: "q5", checkpointID: 3, timestampMs: 1, operators: [], stateFiles: [], jobText: Self.job)
        #expect(try ManifestCodec.decode(try ManifestCodec.encode(m)) == m)
        m.jobText = "{\"a\": \"x\\\"y\",\n  \"checksum\" : \"00000000\"\n}\n"
        #expect(try ManifestCodec.decode(try ManifestCodec.encode(m)).jobText == m.jobText)
    }

    @Test func absentWhenNil() throws {
        let m = CheckpointManifest(job: "q5", checkpointID: 3, timestampMs: 1, operators: [], stateFiles: [])
        let text = String(decoding: try ManifestCodec.encode(m), as: UTF8.self)
        #expect(!text.contains("jobText"))
    }

    @Test func oldManifestStillReads() throws {
        let m = try ManifestCodec.decode(Self.oldManifest())
        #expect(m.jobText == nil)
        #expect(m.checkpointID == 3)
        #expect(m.operators.map(\.type) == ["source:file"])
    }
}
