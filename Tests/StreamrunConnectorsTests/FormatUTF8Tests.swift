import StreamrunCore
import Testing

@testable import StreamrunConnectors

/// Issue 11, item 12: invalid UTF-8 in a string field used to be accepted and written raw (invalid
/// JSONL out). Both decoders now refuse it as a bad record naming the field; ASCII and valid
/// multi-byte text pass.
@Suite struct FormatUTF8Tests {
    typealias T = FormatTesting

    /// Decodes raw `bytes` in one call; the error message, or nil and the rows.
    static func decode<D: RecordDecoder>(_ decoder: D, _ bytes: [UInt8]) -> (rows: [[Value]], error: DecodeError?) {
        var decoder = decoder
        var builder = BatchBuilder(schema: decoder.schema)
        do {
            _ = try bytes.withUnsafeBufferPointer { (b) throws(DecodeError) in
                try decoder.decode(b, atEOF: true, maxRows: .max, into: &builder)
            }
            return (builder.finish().rows(schema: decoder.schema), nil)
        } catch {
            return (builder.finish().rows(schema: decoder.schema), error)
        }
    }

    static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b in UTF8Check.firstInvalid(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, b.count) }
    }

    @Test func validatorAgreesWithTheStandardLibrary() {
        let seed = T.seed("validatorAgreesWithTheStandardLibrary")
        var random = TestRandom(seed: seed)
        let pieces: [[UInt8]] = [
            [0x61], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBF, 0xBD], [0xF4, 0x8F, 0xBF, 0xBF],
            [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF5], [0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
        ]
        for _ in 0..<5000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 6) { bytes += pieces[Int(random.next() % UInt64(pieces.count))] }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect((Self.firstInvalid(bytes) == nil) == valid, "\(bytes), seed \(seed)")
            let ascii = bytes.withUnsafeBufferPointer { b in UTF8Check.isASCII(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, b.count) }
            #expect(ascii == bytes.allSatisfy { $0 < 0x80 })
        }
    }

    @Test func firstInvalidPointsAtTheBadByte() {
        #expect(Self.firstInvalid(Array("café".utf8)) == nil)
        #expect(Self.firstInvalid([0x61, 0x62, 0xFF, 0x63]) == 2)
        #expect(Self.firstInvalid([0x61, 0xC3, 0x28]) == 1)
        #expect(Self.firstInvalid([0x61, 0xE2, 0x82]) == 1)
    }

    @Test func jsonlRefusesInvalidUTF8InAStringField() {
        let line = Array(#"{"i":1,"s":"caf"#.utf8) + [0xE9] + Array(#"","t":5}"#.utf8) + [0x0A]
        let r = Self.decode(JSONLDecoder(schema: T.schema), line)
        #expect(r.error?.message == #"field "s": invalid UTF-8 (byte 0xE9 after "caf"); string fields must be UTF-8"#)
        #expect(r.error?.column == 12)
        #expect(r.rows.isEmpty)
    }

    @Test func jsonlRefusesInvalidUTF8NextToEscapes() {
        let line = Array(#"{"s":"a\n"#.utf8) + [0xC3, 0x28] + Array(#"\t"}"#.utf8)
        let r = Self.decode(JSONLDecoder(schema: T.schema), line)
        #expect(r.error?.message == #"field "s": invalid UTF-8 (byte 0xC3 after "a\#n"); string fields must be UTF-8"#)
    }

    @Test func jsonlKeepsValidMultiByteText() {
        // Long enough to take the eight-byte path, with the multi-byte character in every position.
        for pad in 0..<10 {
            let text = String(repeating: "x", count: pad) + "é€😀" + String(repeating: "y", count: 9 - pad)
            let r = Self.decode(JSONLDecoder(schema: T.schema), Array(#"{"s":"\#(text)","f":1.5}"#.utf8))
            #expect(r.error == nil)
            #expect(r.rows.first?[2] == .string(text))
            let bad = Array(#"{"s":""#.utf8) + Array(String(repeating: "x", count: pad).utf8) + [0xFF] + Array(#""}"#.utf8)
            #expect(Self.decode(JSONLDecoder(schema: T.schema), bad).error != nil, "pad \(pad)")
        }
    }

    @Test func jsonlIgnoresInvalidUTF8InSkippedValues() {
        let line = Array(#"{"other":""#.utf8) + [0xFF] + Array(#"","i":1}"#.utf8)
        let r = Self.decode(JSONLDecoder(schema: T.schema), line)
        #expect(r.error == nil)
        #expect(r.rows.first?[0] == .int(1))
    }

    @Test func csvRefusesInvalidUTF8InAStringField() {
        let plain = Array("1,2,ab".utf8) + [0xFF] + Array(",true,3\n".utf8)
        let r = Self.decode(CSVDecoder(schema: T.schema), Array("0,0,ok,false,0\n".utf8) + plain)
        #expect(r.error?.message == #"field "s": invalid UTF-8 (byte 0xFF after "ab"); string fields must be UTF-8"#)
        #expect(r.error?.line == 1)
        #expect(r.rows.count == 1)
        let quoted = Array("1,2,\"a\"\"".utf8) + [0xC0, 0xAF] + Array("\",true,3\n".utf8)
        let message = "field \"s\": invalid UTF-8 (byte 0xC0 after \"a\"\"); string fields must be UTF-8"
        #expect(Self.decode(CSVDecoder(schema: T.schema), quoted).error?.message == message)
        let good = Self.decode(CSVDecoder(schema: T.schema), Array("1,2,\"naïve, 😀\",true,3\n".utf8))
        #expect(good.error == nil && good.rows.first?[2] == .string("naïve, 😀"))
    }
}
