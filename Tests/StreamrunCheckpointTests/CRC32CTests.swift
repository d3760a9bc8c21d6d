import Testing

@testable import StreamrunCheckpoint

@Suite struct CRC32CTests {
    /// Known answers (RFC 3720 appendix B.4 and the standard check value).
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.hex(0xE306_9283) == "e3069283")
        #expect(CRC32C.hex(0x0000_00AB) == "000000ab")
    }

    /// The eight-bytes-a-step path agrees with the plain bit-by-bit definition, at every length
    /// and split point.
    @Test func matchesBitwiseDefinition() {
        var (rng, seed) = TestRandom.seeded("CRC32CTests.matchesBitwiseDefinition")
        func reference(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            }
            return ~c
        }
        for n in 0..<200 {
            let bytes = rng.bytes(n)
            let split = Int.random(in: 0...n, using: &rng)
            var inc = CRC32C()
            inc.update(bytes[0..<split])
            inc.update(bytes[split...].map { $0 }.lazy.map { $0 })  // a non-contiguous sequence too
            #expect(CRC32C.checksum(bytes) == reference(bytes), "n \(n), seed \(seed)")
            #expect(inc.value == reference(bytes), "n \(n), split \(split), seed \(seed)")
        }
    }
}
