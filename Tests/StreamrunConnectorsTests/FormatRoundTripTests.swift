import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// decode(encode(batch)) == batch, for random batches and for generated Nexmark bids.
@Suite struct FormatRoundTripTests {
    typealias T = FormatTesting

    static let schema = Schema([
        Field("id", .int), Field("price", .float), Field("name", .string), Field("ok", .bool), Field("at", .timestamp),
        Field("note", .string),
    ])

    static func randomString(_ random: inout TestRandom) -> String {
        let pieces = ["a", "bc", "xyz", " ", ",", ";", "\"", "\"\"", "\n", "\r\n", "\r", "\\", "\\n", "\t", "\u{1}", "\u{1F}",
                      "é", "中文", "😀", "{\"k\":[1]}", "null", "'", "/"]
        let n = Int.random(in: 0...6, using: &random)
        return (0..<n).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func randomBatch(_ random: inout TestRandom) -> RecordBatch {
        let rows = Int.random(in: 0...200, using: &random)
        var values: [[Value]] = []
        for _ in 0..<rows {
            var row: [Value] = []
            for field in schema.fields {
                if Int.random(in: 0..<7, using: &random) == 0 {
                    row.append(.null)
                    continue
                }
                switch field.type {
                case .int:
                    let choices: [Int64] = [.min, .max, 0, -1, Int64.random(in: -1000...1000, using: &random),
                                            Int64.random(in: .min ... .max, using: &random)]
                    row.append(.int(choices.randomElement(using: &random)!))
                case .float:
                    var v: Double
                    repeat {
                        switch Int.random(in: 0..<5, using: &random) {
                        case 0: v = Double(bitPattern: random.next())
                        case 1: v = Double(Int.random(in: -100_000...100_000, using: &random)) / 100
                        case 2: v = [-0.0, 0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e21, 1e-7].randomElement(using: &random)!
                        case 3: v = Double.random(in: -1e6...1e6, using: &random)
                        default: v = Double(Int64.random(in: .min ... .max, using: &random))
                        }
                    } while !v.isFinite
                    row.append(.float(v))
                case .string: row.append(.string(randomString(&random)))
                case .bool: row.append(.bool(Bool.random(using: &random)))
                case .timestamp: row.append(.timestamp(Int64.random(in: -1_000_000_000_000...4_000_000_000_000, using: &random)))
                }
            }
            values.append(row)
        }
        return RecordBatch(schema: schema, rows: values)
    }

    static func encode(_ batch: RecordBatch, _ encoder: some RecordEncoder) -> [UInt8] {
        var out: [UInt8] = []
        encoder.encode(batch, into: &out)
        return out
    }

    @Test func jsonlRandomBatches() throws {
        let seed = T.seed("jsonlRandomBatches")
        var random = TestRandom(seed: seed)
        let encoder = JSONLEncoder(EncoderColumns(schema: Self.schema))
        for round in 0..<40 {
            let batch = Self.randomBatch(&random)
            let bytes = Self.encode(batch, encoder)
            var decoder = JSONLDecoder(schema: Self.schema)
            let decoded = try T.decodeChunked(&decoder, bytes, maxRows: Int.random(in: 1...300, using: &random)) { _ in
                Int.random(in: 1...4096, using: &random)
            }
            #expect(T.sameRows(decoded.batch.rows(schema: Self.schema), batch.rows(schema: Self.schema)),
                    "seed \(seed), round \(round)")
            #expect(decoded.lines == batch.count)
        }
    }

    @Test func csvRandomBatches() throws {
        let seed = T.seed("csvRandomBatches")
        var random = TestRandom(seed: seed)
        for round in 0..<40 {
            let delimiter = [",", ";", "\t", "|"].randomElement(using: &random)!.utf8.first!
            let encoder = CSVEncoder(EncoderColumns(schema: Self.schema), delimiter: delimiter)
            let batch = Self.randomBatch(&random)
            let header = Bool.random(using: &random)
            let bytes = (header ? encoder.header() : []) + Self.encode(batch, encoder)
            var decoder = CSVDecoder(schema: Self.schema, delimiter: delimiter, header: header)
            let decoded = try T.decodeChunked(&decoder, bytes, maxRows: Int.random(in: 1...300, using: &random)) { _ in
                Int.random(in: 1...4096, using: &random)
            }
            // CSV cannot tell a null string from an empty one: null strings come back empty.
            let expected = batch.rows(schema: Self.schema).map { row in
                row.enumerated().map { c, v in Self.schema[c].type == .string && v == .null ? Value.string("") : v }
            }
            #expect(T.sameRows(decoded.batch.rows(schema: Self.schema), expected), "seed \(seed), round \(round)")
            let newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            #expect(decoded.lines == newlines)
        }
    }

    @Test func nexmarkBidsRoundTripExactly() throws {
        let generator = NexmarkGenerator(seed: 7)
        let batch = generator.batch(0..<5000)
        let schema = NexmarkGenerator.schema
        for format in DataFormat.allCases {
            let bytes = Self.encode(batch, RecordEncoders.make(format, columns: EncoderColumns(schema: schema)))
            var decoder = RecordDecoders.make(format, schema: schema)
            var builder = BatchBuilder(schema: schema)
            let progress = try bytes.withUnsafeBufferPointer { (b) throws(DecodeError) in
                try decoder.decode(b, atEOF: true, maxRows: .max, into: &builder)
            }
            #expect(progress == DecodeProgress(bytes: bytes.count, lines: 5000, rows: 5000))
            #expect(builder.finish() == batch, "\(format)")
        }
    }
}
