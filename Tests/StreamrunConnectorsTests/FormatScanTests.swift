import StreamrunCore
import Testing

@testable import StreamrunConnectors

/// The byte-level helpers the decoders are built on, against plain reference implementations.
@Suite struct FormatScanTests {
    typealias T = FormatTesting

    @Test func digitCountAndValueMatchAByteLoop() {
        let seed = T.seed("digitCountAndValueMatchAByteLoop")
        var random = TestRandom(seed: seed)
        let interesting: [UInt8] = [0x2F, 0x30, 0x35, 0x39, 0x3A, 0x20, 0x2C, 0x7D, 0x00, 0xFA, 0xFF, 0x06, 0x36]
        for _ in 0..<50_000 {
            var bytes = (0..<8).map { _ in interesting.randomElement(using: &random)! }
            // Mostly digits, so long digit runs are common.
            for b in 0..<8 where Int.random(in: 0..<3, using: &random) > 0 { bytes[b] = UInt8.random(in: 0x30...0x39, using: &random) }
            var k = 0
            while k < 8 && (0x30...0x39).contains(bytes[k]) { k += 1 }
            let v = bytes.withUnsafeBufferPointer { SWAR.load($0.baseAddress!) }
            #expect(SWAR.digitCount(v) == k, "seed \(seed): \(bytes)")
            if k > 0 {
                let expected = bytes[..<k].reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
                #expect(SWAR.digitsValue(v, k) == expected, "seed \(seed): \(bytes)")
            }
        }
    }

    @Test func integersOfEveryLengthAtEveryDistanceFromTheEnd() throws {
        let seed = T.seed("integersOfEveryLengthAtEveryDistanceFromTheEnd")
        var random = TestRandom(seed: seed)
        for digits in 1...19 {
            for _ in 0..<20 {
                var text = String(Int.random(in: 1...9, using: &random))
                for _ in 1..<digits { text += String(Int.random(in: 0...9, using: &random)) }
                let negative = Bool.random(using: &random)
                let literal = (negative ? "-" : "") + text
                let expected = Int64(literal)
                for suffix in ["", "}", ",\"f\":1}", "}                 "] {
                    let bytes = Array(literal.utf8) + Array(suffix.utf8)
                    bytes.withUnsafeBufferPointer { b in
                        var i = 0
                        let (v, status) = NumberScan.int64(b.baseAddress!, &i, b.count)
                        if let expected {
                            #expect(status == .ok && v == expected && i == literal.utf8.count, "seed \(seed): \(literal)")
                        } else {
                            #expect(status == .overflow && i == literal.utf8.count, "seed \(seed): \(literal)")
                        }
                    }
                }
            }
        }
        // Leading zeros are counted apart from the significant digits.
        let zeros = Array("-0000000000000000000000009223372036854775808".utf8)
        zeros.withUnsafeBufferPointer { b in
            var i = 0
            let (v, status) = NumberScan.int64(b.baseAddress!, &i, b.count)
            #expect(status == .ok && v == .min)
        }
    }

    @Test func keysOfEveryLengthAndAwkwardNames() throws {
        var names = (0...20).map { String(repeating: "k", count: $0) + (($0 % 3 == 0) ? "é" : "") }
        names += ["with\"quote", "back\\slash", "k"]  // "k" again: the first one wins
        let schema = Schema(names.enumerated().map { Field($1, $0 % 2 == 0 ? .int : .string) })
        let fields = Array(0..<(schema.count - 1))
        var values: [[Value]] = []
        for r in 0..<5 {
            values.append(fields.map { c in
                let absent = (r + c) % 4 == 0
                if absent { return .null }
                return schema[c].type == .int ? .int(Int64(r * 100 + c)) : .string("v\(r)\(c)")
            } + [.null])
        }
        // Lines with keys in a random order, null fields left out: both the guess and the lookup run.
        var random = TestRandom(seed: 77)
        var text = ""
        for row in values {
            var members: [String] = []
            for c in fields where row[c] != .null {
                var key: [UInt8] = []
                var name = names[c]
                name.withUTF8 { ByteWriter.appendJSONString($0, to: &key) }
                let value: String
                switch row[c] {
                case .int(let v): value = String(v)
                default: value = "\"\(row[c])\""
                }
                members.append(String(decoding: key, as: UTF8.self) + ":" + value)
            }
            if Bool.random(using: &random) { members.shuffle(using: &random) }
            text += "{" + members.joined(separator: ",") + "}\n"
        }
        let r = try T.jsonl(text, schema: schema)
        #expect(r.rows == values)
    }
}
