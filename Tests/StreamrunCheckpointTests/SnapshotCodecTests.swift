import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct SnapshotCodecTests {
    @Test func fixedWidthRoundTripAtExtremes() throws {
        var w = SnapshotWriter()
        let u64: [UInt64] = [0, 1, 0x7F, 0x80, UInt64(UInt32.max), UInt64.max - 1, .max]
        let i64: [Int64] = [0, 1, -1, .min, .max, Int64(Int32.min) - 1]
        let i32: [Int32] = [0, -1, .min, .max]
        let doubles: [Double] = [0, -0.0, 1.5, -.infinity, .infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .pi]
        w.writeUInt8(0); w.writeUInt8(.max)
        w.writeUInt16(0); w.writeUInt16(.max); w.writeUInt16(0x1234)
        w.writeUInt32(0); w.writeUInt32(.max); w.writeUInt32(0xDEAD_BEEF)
        for v in u64 { w.writeUInt64(v) }
        for v in i64 { w.writeInt64(v) }
        for v in i32 { w.writeInt32(v) }
        for v in doubles { w.writeDouble(v) }
        w.writeDouble(.nan)
        w.writeDouble(Double(bitPattern: 0x7FF8_0000_0000_BEEF))  // a NaN with a payload
        w.writeBool(true); w.writeBool(false)

        var r = SnapshotReader(w.bytes)
        #expect(try r.readUInt8() == 0); #expect(try r.readUInt8() == .max)
        #expect(try r.readUInt16() == 0); #expect(try r.readUInt16() == .max); #expect(try r.readUInt16() == 0x1234)
        #expect(try r.readUInt32() == 0); #expect(try r.readUInt32() == .max); #expect(try r.readUInt32() == 0xDEAD_BEEF)
        for v in u64 { #expect(try r.readUInt64() == v) }
        for v in i64 { #expect(try r.readInt64() == v) }
        for v in i32 { #expect(try r.readInt32() == v) }
        for v in doubles { #expect(try r.readDouble().bitPattern == v.bitPattern) }
        #expect(try r.readDouble().isNaN)
        #expect(try r.readDouble().bitPattern == 0x7FF8_0000_0000_BEEF)
        #expect(try r.readBool() == true); #expect(try r.readBool() == false)
        try r.expectEnd()
    }

    @Test func littleEndianLayout() {
        var w = SnapshotWriter()
        w.writeUInt16(0x0102); w.writeUInt32(0x0304_0506); w.writeInt64(-2)
        #expect(w.bytes == [0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    static let varUIntVectors: [(UInt64, [UInt8])] = [
        (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]),
        (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: Self.varUIntVectors)
    func varUIntEncoding(_ value: UInt64, _ expected: [UInt8]) throws {
        var w = SnapshotWriter()
        w.writeVarUInt(value)
        #expect(w.bytes == expected)
        var r = SnapshotReader(expected)
        #expect(try r.readVarUInt() == value)
        try r.expectEnd()
    }

    /// `writePacked` writes exactly the bytes of the same calls on the writer, after what is there.
    @Test(arguments: Self.varUIntVectors)
    func packedMatchesTheWriter(_ value: UInt64, _ expected: [UInt8]) {
        var plain = SnapshotWriter()
        plain.writeUInt8(7)
        plain.writeVarUInt(value)
        plain.writeVarInt(Int64(bitPattern: value))
        plain.writeCount(Int(value & 0xFFFF))
        var packed = SnapshotWriter()
        packed.writeUInt8(7)
        packed.writePacked { p in
            p.writeVarUInt(value)
            p.writeVarInt(Int64(bitPattern: value))
            p.writeCount(Int(value & 0xFFFF))
        }
        #expect(packed.bytes == plain.bytes)
        #expect(Array(packed.bytes[1..<(1 + expected.count)]) == expected)
    }

    @Test func zigzag() throws {
        #expect([0, -1, 1, -2, 2, Int64.max, Int64.min].map(SnapshotWriter.zigzag) == [0, 1, 2, 3, 4, UInt64.max - 1, UInt64.max])
        var w = SnapshotWriter()
        let values: [Int64] = [0, -1, 1, -64, 63, -65, 64, .min, .max, -1_000_000_007]
        for v in values { w.writeVarInt(v) }
        #expect(w.bytes.prefix(3) == [0x00, 0x01, 0x02])
        var r = SnapshotReader(w.bytes)
        for v in values { #expect(try r.readVarInt() == v) }
        try r.expectEnd()
    }

    @Test func bytesAndStrings() throws {
        var w = SnapshotWriter()
        w.writeBytes([UInt8]()); w.writeBytes([1, 2, 3]); w.writeBytes([UInt8](repeating: 7, count: 300))
        w.writeString(""); w.writeString("héllo, 世界 🎉")
        w.writeCount(2); w.writeRaw([9, 9])
        var r = SnapshotReader(w.bytes)
        #expect(try r.readBytes() == [])
        #expect(try r.readBytes() == [1, 2, 3])
        #expect(try r.readBytes() == [UInt8](repeating: 7, count: 300))
        #expect(try r.readString() == "")
        #expect(try r.readString() == "héllo, 世界 🎉")
        #expect(try r.readCount() == 2)
        #expect(try r.readRaw(2) == [9, 9])
        #expect(r.isAtEnd)
    }

    @Test func randomRoundTrip() throws {
        var (rng, seed) = TestRandom.seeded("SnapshotCodecTests.randomRoundTrip")
        enum V: Equatable { case u(UInt64), i(Int64), d(UInt64), s(String), b([UInt8]), f(Bool) }
        var values: [V] = []
        var w = SnapshotWriter()
        for _ in 0..<5_000 {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: let v = rng.next() >> UInt64.random(in: 0...63, using: &rng); w.writeVarUInt(v); values.append(.u(v))
            case 1: let v = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...63, using: &rng); w.writeVarInt(v); values.append(.i(v))
            case 2: let v = rng.next(); w.writeDouble(Double(bitPattern: v)); values.append(.d(v))
            case 3: let v = String((0..<Int.random(in: 0...20, using: &rng)).map { _ in "aé😀z".randomElement(using: &rng)! }); w.writeString(v); values.append(.s(v))
            case 4: let v = rng.bytes(Int.random(in: 0...200, using: &rng)); w.writeBytes(v); values.append(.b(v))
            default: let v = Bool.random(using: &rng); w.writeBool(v); values.append(.f(v))
            }
        }
        var r = SnapshotReader(w.bytes)
        for v in values {
            let got: V = switch v {
            case .u: .u(try r.readVarUInt())
            case .i: .i(try r.readVarInt())
            case .d: .d(try r.readDouble().bitPattern)
            case .s: .s(try r.readString())
            case .b: .b(try r.readBytes())
            case .f: .f(try r.readBool())
            }
            #expect(got == v, "seed \(seed)")
        }
        try r.expectEnd()
    }

    @Test func truncationThrowsEveryWhere() throws {
        var w = SnapshotWriter()
        w.writeUInt64(.max); w.writeVarUInt(.max); w.writeString("truncate me"); w.writeUInt32(7)
        let full = w.bytes
        for cut in 0..<full.count {
            var r = SnapshotReader(Array(full.prefix(cut)), context: "x.state")
            #expect(throws: StreamrunError.self, "cut at \(cut)") {
                _ = try r.readUInt64(); _ = try r.readVarUInt(); _ = try r.readString(); _ = try r.readUInt32()
            }
        }
    }

    @Test func malformedInputIsAClearError() {
        func error(_ bytes: [UInt8], _ read: (inout SnapshotReader) throws(StreamrunError) -> Void) -> StreamrunError? {
            var r = SnapshotReader(bytes, context: "chk-000001/op-x-00000.state.lz4")
            do throws(StreamrunError) {
                try read(&r)
                return nil
            } catch {
                return error
            }
        }
        let overflow = error([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) { r throws(StreamrunError) in _ = try r.readVarUInt() }
        #expect(overflow?.message.contains("overflows") == true)
        #expect(overflow?.code == .checkpointCorrupt)
        #expect(overflow?.location == "chk-000001/op-x-00000.state.lz4")
        let tooLong = error([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]) { r throws(StreamrunError) in _ = try r.readVarUInt() }
        #expect(tooLong != nil)
        let badBool = error([2]) { r throws(StreamrunError) in _ = try r.readBool() }
        #expect(badBool?.message.contains("bool") == true)
        let badUTF8 = error([2, 0xC3, 0x28]) { r throws(StreamrunError) in _ = try r.readString() }
        #expect(badUTF8?.message.contains("UTF-8") == true)
        let hugeLength = error([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]) { r throws(StreamrunError) in _ = try r.readBytes() }
        #expect(hugeLength?.message.contains("truncated") == true)
        let hugeCount = error([0xFF, 0xFF, 0x03]) { r throws(StreamrunError) in _ = try r.readCount() }
        #expect(hugeCount?.message.contains("exceeds") == true)
        let trailing = error([1, 2]) { r throws(StreamrunError) in _ = try r.readUInt8(); try r.expectEnd() }
        #expect(trailing?.message.contains("trailing") == true)
    }

    /// Random bytes read as any mix of primitives: every read returns or throws, nothing traps.
    @Test func fuzzRandomBytesNeverCrash() {
        var (rng, seed) = TestRandom.seeded("SnapshotCodecTests.fuzzRandomBytesNeverCrash")
        var errors = 0
        for _ in 0..<2_000 {
            var r = SnapshotReader(rng.bytes(Int.random(in: 0...64, using: &rng)))
            do throws(StreamrunError) {
                while !r.isAtEnd {
                    switch Int.random(in: 0..<8, using: &rng) {
                    case 0: _ = try r.readVarUInt()
                    case 1: _ = try r.readVarInt()
                    case 2: _ = try r.readString()
                    case 3: _ = try r.readBytes()
                    case 4: _ = try r.readBool()
                    case 5: _ = try r.readCount()
                    case 6: _ = try r.readUInt64()
                    default: _ = try r.readRaw(Int.random(in: 0...8, using: &rng))
                    }
                }
            } catch {
                errors += 1
                #expect(error.code == .checkpointCorrupt, "seed \(seed)")
            }
        }
        #expect(errors > 0, "seed \(seed)")
    }
}
