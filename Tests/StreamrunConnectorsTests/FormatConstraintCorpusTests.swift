import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// A corpus whose every record meets its constraints decodes exactly as without them, in jsonl and
/// csv, whatever the buffer boundaries; and the same decoder does refuse a record that breaks one.
@Suite struct FormatConstraintCorpusTests {
    typealias C = ConstraintTesting
    typealias T = FormatTesting

    static let plain = """
        {"auction": "int", "price": "int", "rate": "float", "channel": "string", "url": "string",
         "ts": "timestamp", "ok": "bool", "name": "string", "note": "string"}
        """
    static let constrained = """
        {"auction": {"type": "int", "required": true, "nullable": false, "min": 0},
         "price": {"type": "int", "min": 0, "max": 1e9},
         "rate": {"type": "float", "min": -1, "max": 1},
         "channel": {"type": "string", "enum": ["Apple", "Google", "Facebook", "Baidu"]},
         "url": {"type": "string", "pattern": "https://[a-z]+\\\\.example/[0-9]+", "maxLength": 100},
         "ts": {"type": "timestamp", "nullable": false, "min": "2020-01-01", "max": "2030-01-01"},
         "ok": {"type": "bool", "enum": [true, false]},
         "name": {"type": "string", "minLength": 1, "maxLength": 12},
         "note": "string"}
        """

    static let channels = ["Apple", "Google", "Facebook", "Baidu"]
    static let letters = Array("abcxyzéü😀日本".unicodeScalars)

    /// `count` records meeting the constraints, as jsonl and csv text.
    static func corpus(_ count: Int, _ random: inout TestRandom) -> (jsonl: String, csv: String) {
        var jsonl = "", csv = ""
        let start: Int64 = 1_577_836_800_000
        for n in 0..<count {
            let auction = Int64.random(in: 0...1_000_000, using: &random)
            let price = Int64.random(in: 0...1_000_000_000, using: &random)
            let rate = Double(Int.random(in: -1000...1000, using: &random)) / 1000
            let channel = channels.randomElement(using: &random)!
            let url = "https://\(["a", "news", "shop"].randomElement(using: &random)!).example/\(n)"
            let ts = start + Int64.random(in: 0...315_000_000_000, using: &random)
            let ok = Bool.random(using: &random)
            var name = ""
            for _ in 0..<Int.random(in: 1...12, using: &random) { name.unicodeScalars.append(letters.randomElement(using: &random)!) }
            let note = Bool.random(using: &random) ? "null" : "\"n\(n)\""
            jsonl += #"{"auction": \#(auction), "price": \#(price), "rate": \#(rate), "channel": "\#(channel)", "url": "\#(url)", "#
                + #""ts": \#(ts), "ok": \#(ok), "name": "\#(name)", "note": \#(note)}"# + "\n"
            csv += "\(auction),\(price),\(rate),\(channel),\(url),\(Timestamps.iso8601(ts)),\(ok),\"\(name)\",\(note == "null" ? "" : "n\(n)")\n"
        }
        return (jsonl, csv)
    }

    @Test(arguments: [DataFormat.jsonl, .csv])
    func satisfiedConstraintsChangeNothing(_ format: DataFormat) throws {
        var random = TestRandom(seed: T.seed("satisfiedConstraintsChangeNothing \(format)"))
        let corpus = Self.corpus(2000, &random)
        let bytes = Array((format == .jsonl ? corpus.jsonl : corpus.csv).utf8)
        let plainSource = try C.source(Self.plain, format: format)
        let constrainedSource = try C.source(Self.constrained, format: format)
        #expect(plainSource.schema == constrainedSource.schema)
        #expect(constrainedSource.constraints.compactMap { $0 }.count == 8)
        var plain = RecordDecoders.make(for: plainSource)
        var constrained = RecordDecoders.make(for: constrainedSource)
        let maxRows = Int.random(in: 1...300, using: &random)
        let chunk = Int.random(in: 64...4096, using: &random)
        let a = try T.decodeChunked(&plain, bytes, maxRows: maxRows) { _ in chunk }
        let b = try T.decodeChunked(&constrained, bytes, maxRows: maxRows) { _ in chunk }
        #expect(a.batch.count == 2000)
        #expect(a.lines == b.lines)
        #expect(T.sameRows(a.batch.rows(schema: plainSource.schema), b.batch.rows(schema: constrainedSource.schema)))
    }

    /// The constrained decoder is not lenient: each field of one record broken in turn is refused.
    @Test(arguments: [DataFormat.jsonl, .csv])
    func brokenRecordsOfTheCorpusAreRefused(_ format: DataFormat) throws {
        let decoder = try C.decoder(Self.constrained, format: format)
        let good: [String]
        let broken: [(index: Int, value: String, rule: DeadLetter.Rule)]
        if format == .jsonl {
            good = ["1", "2", "0.5", "\"Apple\"", "\"https://a.example/1\"", "1600000000000", "true", "\"ab\"", "null"]
            broken = [(0, "-1", .min), (1, "1000000001", .max), (2, "1.5", .max), (3, "\"Apples\"", .enum),
                      (4, "\"http://a.example/1\"", .pattern), (5, "null", .required), (7, "\"\"", .minLength)]
        } else {
            good = ["1", "2", "0.5", "Apple", "https://a.example/1", "2020-09-13T12:26:40Z", "true", "ab", ""]
            broken = [(0, "", .required), (1, "1000000001", .max), (2, "NaN", .min), (3, "apple", .enum),
                      (4, "https://a.example/x", .pattern), (5, "2031-01-01", .max), (7, "abcdefghijklm", .maxLength)]
        }
        let names = ["auction", "price", "rate", "channel", "url", "ts", "ok", "name", "note"]
        func line(_ values: [String]) -> String {
            format == .csv ? values.joined(separator: ",") + "\n"
                : "{" + zip(names, values).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}\n"
        }
        #expect(C.decode(decoder, line(good)).error == nil)
        for b in broken {
            var values = good
            values[b.index] = b.value
            let e = C.decode(decoder, line(good) + line(values)).error
            #expect(e?.rule == b.rule, "\(names[b.index]) = \(b.value)")
            #expect(e?.field == names[b.index])
        }
    }
}
