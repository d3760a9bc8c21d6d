import StreamrunCore
import Testing

@testable import StreamrunConnectors

@Suite struct FormatEncoderTests {
    typealias T = FormatTesting

    static let batch = RecordBatch(schema: T.schema, rows: [
        [.int(1), .float(2.5), .string("plain"), .bool(true), .timestamp(1_704_067_200_000)],
        [.int(-9_223_372_036_854_775_808), .float(.nan), .string("q\"b\\n\n\t\u{1}é"), .bool(false), .timestamp(-1)],
        [.null, .null, .null, .null, .null],
        [.int(9_223_372_036_854_775_807), .float(1e21), .string("a,b"), .bool(true), .timestamp(0)],
        [.int(0), .float(-0.0), .string(""), .null, .null],
    ])

    static func text(_ encoder: some RecordEncoder, rows: [Int32]? = nil) -> String {
        var out: [UInt8] = []
        encoder.encode(batch, rows: rows, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func jsonlExactBytes() {
        let encoder = JSONLEncoder(EncoderColumns(schema: T.schema))
        #expect(Self.text(encoder) == #"""
            {"i":1,"f":2.5,"s":"plain","b":true,"t":1704067200000}
            {"i":-9223372036854775808,"f":null,"s":"q\"b\\n\n\t\u0001é","b":false,"t":-1}
            {"i":null,"f":null,"s":null,"b":null,"t":null}
            {"i":9223372036854775807,"f":1e+21,"s":"a,b","b":true,"t":0}
            {"i":0,"f":-0.0,"s":"","b":null,"t":null}

            """#)
    }

    @Test func jsonlColumnSubsetNamesAndRows() {
        let columns = EncoderColumns(indices: [2, 0], names: ["name \"x\"", "id"], types: [.string, .int])
        let encoder = JSONLEncoder(columns)
        #expect(Self.text(encoder, rows: [3, 0, 3]) == """
            {"name \\"x\\"":"a,b","id":9223372036854775807}
            {"name \\"x\\"":"plain","id":1}
            {"name \\"x\\"":"a,b","id":9223372036854775807}

            """)
        let byName = JSONLEncoder(EncoderColumns(schema: T.schema, fields: ["t", "b"]))
        #expect(Self.text(byName, rows: [0]) == "{\"t\":1704067200000,\"b\":true}\n")
        let none = JSONLEncoder(EncoderColumns(indices: [], names: [], types: []))
        #expect(Self.text(none, rows: [0]) == "{}\n")
    }

    @Test func jsonlInfinitiesAreNull() {
        let batch = RecordBatch(schema: Schema([Field("f", .float)]), rows: [[.float(.infinity)], [.float(-.infinity)]])
        var out: [UInt8] = []
        JSONLEncoder(EncoderColumns(schema: Schema([Field("f", .float)]))).encode(batch, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "{\"f\":null}\n{\"f\":null}\n")
    }

    @Test func csvExactBytes() {
        let encoder = CSVEncoder(EncoderColumns(schema: T.schema))
        #expect(Self.text(encoder) == """
            1,2.5,plain,true,1704067200000
            -9223372036854775808,NaN,"q""b\\n
            \t\u{1}é",false,-1
            ,,,,
            9223372036854775807,1e+21,"a,b",true,0
            0,-0.0,"",,

            """)
        #expect(String(decoding: encoder.header(), as: UTF8.self) == "i,f,s,b,t\n")
        #expect(String(decoding: CSVEncoder.header(["a", "b;c", "d\"e", ""], delimiter: UInt8(ascii: ";")), as: UTF8.self)
            == "a;\"b;c\";\"d\"\"e\";\"\"\n")
    }

    @Test func csvQuotesOnlyWhatNeedsIt() {
        let schema = Schema([Field("s", .string), Field("n", .int)])
        let batch = RecordBatch(schema: schema, rows: [
            [.string("a;b"), .int(1)], [.string("a,b"), .int(2)], [.string("cr\r"), .int(3)], [.string(" spaced "), .null],
            [.string("long string without anything special in it"), .int(4)],
            [.string("long string with a \" quote somewhere in the middle"), .int(5)],
        ])
        var out: [UInt8] = []
        CSVEncoder(EncoderColumns(schema: schema), delimiter: UInt8(ascii: ";")).encode(batch, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == """
            "a;b";1
            a,b;2
            "cr\r";3
             spaced ;
            long string without anything special in it;4
            "long string with a "" quote somewhere in the middle";5

            """)
    }

    @Test func csvOneColumnNullIsNotABlankLine() {
        let schema = Schema([Field("n", .int)])
        let batch = RecordBatch(schema: schema, rows: [[.int(1)], [.null], [.int(3)]])
        var out: [UInt8] = []
        CSVEncoder(EncoderColumns(schema: schema)).encode(batch, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "1\n\"\"\n3\n")
    }

    @Test func integersOfEveryLength() {
        let schema = Schema([Field("n", .int)])
        var values: [Int64] = [0, -1, .min, .max]
        var p: Int64 = 1
        for _ in 0..<18 {
            values += [p - 1, p, -p, p + 1]
            p *= 10
        }
        let batch = RecordBatch(schema: schema, rows: values.map { [.int($0)] })
        var out: [UInt8] = []
        CSVEncoder(EncoderColumns(schema: schema)).encode(batch, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == values.map { "\($0)\n" }.joined())
    }

    @Test func appendsToExistingBytes() {
        var out = Array("head\n".utf8)
        JSONLEncoder(EncoderColumns(schema: T.schema, fields: ["i"])).encode(Self.batch, rows: [0], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "head\n{\"i\":1}\n")
    }
}
