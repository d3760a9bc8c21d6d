import StreamrunCore
import Testing

@testable import StreamrunConnectors

@Suite struct FormatCSVDecoderTests {
    typealias T = FormatTesting

    @Test func decodesEveryType() throws {
        let r = try T.csv("42,2.5,hello,true,1704067200000\n-1,-0.0,,FALSE,2024-01-01T00:00:01Z\n")
        #expect(r.rows == [
            [.int(42), .float(2.5), .string("hello"), .bool(true), .timestamp(1_704_067_200_000)],
            [.int(-1), .float(-0.0), .string(""), .bool(false), .timestamp(1_704_067_201_000)],
        ])
        #expect(r.progress == DecodeProgress(bytes: 68, lines: 2, rows: 2))
    }

    @Test func emptyFieldsAreNullExceptForStrings() throws {
        let r = try T.csv(",,,,\n\"\",\"\",\"\",\"\",\"\"\n , \t,  , ,\n")
        #expect(r.rows == [
            [.null, .null, .string(""), .null, .null],
            [.null, .null, .string(""), .null, .null],
            [.null, .null, .string("  "), .null, .null],
        ])
    }

    @Test func valuesAroundSpacesAndSpecialFloats() throws {
        let r = try T.csv(" 7 ,NaN,a b , True ,0\n+8,Infinity,x,false,-5\n008,-Infinity,x,false,1\n1,1e-3,x,false,2\n")
        #expect(r.rows[0][0] == .int(7) && r.rows[0][2] == .string("a b ") && r.rows[0][3] == .bool(true))
        if case .float(let v) = r.rows[0][1] { #expect(v.isNaN) } else { Issue.record("not a float") }
        #expect(r.rows[1][0] == .int(8) && r.rows[1][1] == .float(.infinity) && r.rows[1][4] == .timestamp(-5))
        #expect(r.rows[2][0] == .int(8) && r.rows[2][1] == .float(-.infinity))
        #expect(r.rows[3][1] == .float(0.001))
    }

    @Test func quotedFields() throws {
        let text = "1,2,\"a,b\",true,3\n1,2,\"say \"\"hi\"\"\",true,3\n1,2,\"\"\"\",true,3\n1,2,ab\"c,true,3\n"
        let r = try T.csv(text)
        #expect(r.rows.map { $0[2] } == [.string("a,b"), .string("say \"hi\""), .string("\""), .string("ab\"c")])
        #expect(r.progress.lines == 4)
    }

    @Test func quotedNewlinesSpanLines() throws {
        let text = "1,2,\"line one\nline two\r\nline three\",true,3\n4,5,x,false,6\n"
        let r = try T.csv(text)
        #expect(r.rows.map { $0[2] } == [.string("line one\nline two\r\nline three"), .string("x")])
        #expect(r.progress == DecodeProgress(bytes: text.utf8.count, lines: 4, rows: 2))
        // An error after a multi-line record is reported at its own first line.
        let error = T.error { () throws(DecodeError) in try T.csv(text + "x,5,x,false,6\n") }
        #expect(error?.line == 4)
        #expect(error?.message == #"field "i": expected int, got "x""#)
    }

    @Test func headerIsSkippedOncePerFile() throws {
        var decoder = CSVDecoder(schema: T.schema, header: true)
        let r = try T.decode(&decoder, "i,f,\"s\nwith newline\",b,t\n1,2,x,true,3\n")
        #expect(r.rows == [[.int(1), .float(2), .string("x"), .bool(true), .timestamp(3)]])
        #expect(r.progress == DecodeProgress(bytes: 38, lines: 3, rows: 1))
        // The header is gone for the rest of the file…
        let more = try T.decode(&decoder, "4,5,y,false,6\n")
        #expect(more.rows.count == 1)
        // …and skipped again in the next file.
        decoder.beginFile()
        let next = try T.decode(&decoder, "just,a,header\n7,8,z,true,9\n")
        #expect(next.rows.map { $0[0] } == [.int(7)])
        // A header cut by the buffer end is not consumed, and still pending.
        decoder.beginFile()
        let cut = try T.decode(&decoder, "i,f,s", atEOF: false)
        #expect(cut.progress == DecodeProgress() && decoder.headerPending)
    }

    @Test func delimiters() throws {
        let semicolon = try T.csv("1;2.5;a,b;true;3\n", delimiter: ";")
        #expect(semicolon.rows == [[.int(1), .float(2.5), .string("a,b"), .bool(true), .timestamp(3)]])
        let tab = try T.csv("1\t2\t\"a\tb\"\ttrue\t3\n", delimiter: "\t")
        #expect(tab.rows == [[.int(1), .float(2), .string("a\tb"), .bool(true), .timestamp(3)]])
    }

    @Test func crlfAndBlankLines() throws {
        let schema = Schema([Field("i", .int), Field("f", .float), Field("s", .string)])
        let r = try T.csv("1,2,a\r\n\r\n\n4,5,\"b\"\r\n6,7,c", schema: schema)
        #expect(r.rows == [[.int(1), .float(2), .string("a")], [.int(4), .float(5), .string("b")], [.int(6), .float(7), .string("c")]])
        #expect(r.progress.lines == 4)
    }

    @Test(arguments: [
        ("1,2,a,true\n", "expected 5 fields, got 4"),
        ("1,2,a,true,3,4\n", "expected 5 fields, got 6"),
        ("1,2,a,true,3,\n", "expected 5 fields, got 6"),
        ("abc,2,a,true,3\n", #"field "i": expected int, got "abc""#),
        ("1.5,2,a,true,3\n", #"field "i": expected int, got "1.5""#),
        ("9223372036854775808,2,a,true,3\n", #"field "i": expected int, got "9223372036854775808" (out of range)"#),
        ("1,x,a,true,3\n", #"field "f": expected float, got "x""#),
        ("1,1.,a,true,3\n", #"field "f": expected float, got "1.""#),
        ("1,2,a,yes,3\n", #"field "b": expected bool, got "yes""#),
        ("1,2,a,true,soon\n", #"field "t": expected timestamp (epoch ms or ISO-8601), got "soon""#),
        ("1,2,\"a\"b,true,3\n", #"field "s": unexpected 'b' after a closing quote"#),
        ("1,2,a,true,\"3\n", #"field "t": unterminated quoted field"#),
    ])
    func errors(text: String, message: String) {
        let error = T.error { () throws(DecodeError) in try T.csv(text) }
        #expect(error?.message == message)
    }

    @Test func errorKeepsEarlierRowsAndNoPartialRow() {
        var decoder = CSVDecoder(schema: T.schema)
        var builder = BatchBuilder(schema: T.schema)
        let bytes = Array("1,2,a,true,3\n\n4,5,b,maybe,6\n".utf8)
        do {
            _ = try bytes.withUnsafeBufferPointer { (b) throws(DecodeError) in
                try decoder.decode(b, atEOF: true, maxRows: .max, into: &builder)
            }
            Issue.record("no error")
        } catch {
            #expect(error.consumed == DecodeProgress(bytes: 14, lines: 2, rows: 1))
            #expect(error.located(file: "in.csv", linesBefore: 0).description == #"in.csv:3: field "b": expected bool, got "maybe""#)
        }
        let batch = builder.finish()
        #expect(batch.count == 1)
        for column in batch.columns { #expect(column.count == 1) }
    }

    @Test func incompleteRecordsWaitForMoreBytes() throws {
        for text in ["1,2,a,true,3", "1,2,\"a", "1,2,\"a\"", "1,2,\"a\nb\"\"", "1,2,a,true,3\r", "1,2,\"a\",true,\"3\"\r"] {
            let r = try T.csv("9,9,z,false,9\n" + text, atEOF: false)
            #expect(r.rows.count == 1, "\(text)")
            #expect(r.progress == DecodeProgress(bytes: 14, lines: 1, rows: 1), "\(text)")
        }
        let eof = try T.csv("1,2,\"a\nb\",true,\"3\"\r", atEOF: true)
        #expect(eof.rows == [[.int(1), .float(2), .string("a\nb"), .bool(true), .timestamp(3)]])
        #expect(eof.progress == DecodeProgress(bytes: 19, lines: 1, rows: 1))
    }

    @Test func maxRowsIsRespected() throws {
        let r = try T.csv("1,2,a,true,3\n4,5,b,false,6\n7,8,c,true,9\n", maxRows: 2)
        #expect(r.rows.map { $0[0] } == [.int(1), .int(4)])
        #expect(r.progress == DecodeProgress(bytes: 27, lines: 2, rows: 2))
    }

    @Test func chunkedDecodingMatchesOneShot() throws {
        let seed = T.seed("csv.chunkedDecodingMatchesOneShot")
        var random = TestRandom(seed: seed)
        var text = ""
        for k in 0..<300 {
            let s = ["plain", "with,comma", "with \"quotes\"", "multi\nline", "", "é中😀"][k % 6]
            let quoted = s.contains(where: { ",\"\n".contains($0) }) || s.isEmpty ? "\"" + s.map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\"" : s
            text += "\(k),\(Double(k) / 4),\(quoted),\(k % 2 == 0),\(k * 1000)" + (k % 3 == 0 ? "\r\n" : "\n")
            if k % 50 == 0 { text += "\n" }
        }
        let whole = try T.csv(text)
        var decoder = CSVDecoder(schema: T.schema)
        let chunked = try T.decodeChunked(&decoder, Array(text.utf8), maxRows: 7) { _ in Int.random(in: 1...48, using: &random) }
        #expect(chunked.batch.rows(schema: T.schema) == whole.rows, "seed \(seed)")
        #expect(whole.rows.count == 300)
        #expect(chunked.lines == 300 + 6 + 50)
    }
}
