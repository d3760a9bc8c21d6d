import Foundation
import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct LZ4FrameTests {
    static func sample(_ n: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<n).map { i in i % 7 == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8(ascii: "a") + UInt8(i % 13) }
    }

    @Test(arguments: [0, 1, 100, 70_000, 1 << 20])
    func roundTrip(_ size: Int) throws {
        let data = Self.sample(size)
        let frame = try LZ4Frame.compress(data)
        #expect(Array(frame.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])  // LZ4 frame magic
        #expect(try LZ4Frame.decompress(frame) == data)
    }

    @Test func corruptionIsDetected() throws {
        var frame = try LZ4Frame.compress(Self.sample(10_000))
        frame[frame.count / 2] ^= 0xFF
        #expect(throws: StreamrunError.self) { try LZ4Frame.decompress(frame) }
        #expect(throws: StreamrunError.self) { try LZ4Frame.decompress(Array(frame.prefix(frame.count - 3))) }
    }

    /// Frames we write open with the standard `lz4` tool, as the checkpoint format promises.
    @Test func lz4CommandLineDecodesOurFrames() throws {
        let lz4 = ["/usr/bin/lz4", "/usr/local/bin/lz4"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try #require(lz4 != nil, "the lz4 command line tool is not installed (.ci/run installs it)")
        let data = Self.sample(200_000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lz4-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let input = dir.appendingPathComponent("state.lz4"), output = dir.appendingPathComponent("state.bin")
        try Data(try LZ4Frame.compress(data)).write(to: input)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: lz4!)
        p.arguments = ["-d", "-q", "-f", input.path, output.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(try [UInt8](Data(contentsOf: output)) == data)
    }
}
