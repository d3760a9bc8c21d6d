import Foundation
import StreamrunCore
import Testing

/// An input file of valid Nexmark bids with bad records of every kind mixed in at seeded random
/// lines, and what a test expects of it: the records the main sink must write, and for each bad
/// record its line, byte offset, rule, field and raw bytes (what its dead letter must say).
///
/// Built record by record, so every offset and line number is known; nothing of it is parsed back.
struct DeadLetterCorpus {
    /// One bad record as its dead letter must describe it.
    struct Bad: Hashable {
        var line: Int
        var offset: Int
        var rule: String
        /// The field at fault; nil when the dead letter's `field` must be null.
        var field: String?
        /// Whether `field` is checked (a syntax error may or may not name one).
        var checkField = true
        /// The record's bytes without its line terminator; only the first ones for a record longer
        /// than maxRecordSize.
        var raw: [UInt8]
        /// The whole record's length, for a record longer than maxRecordSize.
        var rawLength: Int?
    }

    /// The bad kinds a JSON Lines corpus holds; each one at least twice.
    enum JSONLKind: String, CaseIterable {
        case type, floatPrice, cut, trailing, noEventTime, nullEventTime, badByte, cutCharacter, bomInside, tooLong, justTooLong, crlfType
    }

    var bytes: [UInt8] = []
    /// The records the main sink must write, as its JSON Lines.
    var output: [String] = []
    var bad: [Bad] = []
    /// The 1-based line of the next record.
    private(set) var line = 1

    var records: Int { output.count + bad.count }

    /// Bad records by rule.
    var rules: [String: Int] { bad.reduce(into: [:]) { $0[$1.rule, default: 0] += 1 } }

    /// A record the source must emit; `output` is its line in the main sink (the record itself by default).
    mutating func good(_ record: String, terminator: String = "\n", output: String? = nil) {
        self.output.append(output ?? record)
        raw(Array(record.utf8) + Array(terminator.utf8))
    }

    /// A bad record; with `maxRecordSize`, one that does not fit in it with its line break is kept
    /// as its first bytes and its length.
    mutating func bad(_ record: [UInt8], rule: String, field: String?, checkField: Bool = true, terminator: String = "\n",
                      maxRecordSize: Int? = nil) {
        var b = Bad(line: line, offset: bytes.count, rule: rule, field: field, checkField: checkField, raw: record)
        if let size = maxRecordSize, record.count + terminator.utf8.count > size {
            b.raw = Array(record.prefix(min(size, 4096)))
            b.rawLength = record.count
        }
        bad.append(b)
        raw(record + Array(terminator.utf8))
    }

    /// Bytes that are no record (a blank line, a byte order mark).
    mutating func raw(_ data: [UInt8]) {
        bytes += data
        line += data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }

    // MARK: JSON Lines

    /// `count` generated bids, one JSON object a line, as the engine writes them.
    static func generatedBids(count: Int, in dir: URL) throws -> [String] {
        let gen = #"{ "name": "gen", "sources": [{ "id": "bids", "type": "generator", "seed": 4, "count": \#(count) }], "sinks": [{ "id": "g", "type": "file", "inputs": ["bids"], "path": "gen", "format": "jsonl" }] }"#
        try Harness.write(gen, to: dir.appendingPathComponent("gen.json"))
        let r = try Harness.run(["-q", "gen.json"], cwd: dir)
        try #require(r.status == 0, "\(r.stderr)")
        let lines = Harness.sortedLines(dir.appendingPathComponent("gen"))
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("gen"))
        try #require(lines.count == count)
        return lines
    }

    /// `valid` with bad records of every ``JSONLKind`` at seeded random places, and at some split
    /// boundaries (a multiple of `splitSize`) a bad record that starts exactly there or straddles it;
    /// records that fill `maxRecordSize` exactly with their LF or CR LF, and blank lines, which are no bad
    /// records; a byte order mark at the start; and a last line cut short without its newline.
    static func jsonl(valid: [String], seed: UInt64, maxRecordSize: Int, splitSize: Int) -> DeadLetterCorpus {
        var rng = TestRandom(seed: seed)
        var c = DeadLetterCorpus()
        c.raw([0xEF, 0xBB, 0xBF])  // skipped: the first record starts at offset 3, on line 1
        // Extra records at random places: every bad kind twice, and a few records that are not bad.
        enum Extra { case bad(JSONLKind), exactSize, exactSizeCRLF, longValid, blank, spaces }
        var extras: [(at: Int, Extra)] = []
        for kind in JSONLKind.allCases {
            for _ in 0..<2 { extras.append((Int(rng.next() % UInt64(valid.count - 1)), .bad(kind))) }
        }
        for e in [Extra.exactSize, .exactSizeCRLF, .longValid, .blank, .spaces, .blank] {
            extras.append((Int(rng.next() % UInt64(valid.count - 1)), e))
        }
        extras.sort { $0.at < $1.at }
        var next = 0
        for (i, record) in valid.dropLast().enumerated() {
            while next < extras.count && extras[next].at == i {
                let base = valid[Int(rng.next() % UInt64(valid.count))]
                switch extras[next].1 {
                case .bad(let kind): c.addBad(kind, base: base, rng: &rng, maxRecordSize: maxRecordSize, splitSize: splitSize)
                case .exactSize: c.good(padded(base, to: maxRecordSize - 1))
                case .exactSizeCRLF: c.good(padded(base, to: maxRecordSize - 2), terminator: "\r\n")
                case .longValid: c.good(padded(base, to: maxRecordSize * 3 / 4))
                case .blank: c.raw([10])
                case .spaces: c.raw(Array("  \t \n".utf8))
                }
                next += 1
            }
            // A split boundary inside this record: sometimes a bad record starts exactly on it (after
            // a line of spaces that fills the gap), sometimes a bad one straddles it instead.
            let boundary = (c.bytes.count / splitSize + 1) * splitSize
            if c.bytes.count + record.utf8.count + 1 > boundary {
                switch rng.next() % 3 {
                case 0:
                    c.raw(Array(repeating: 32, count: boundary - c.bytes.count - 1) + [10])
                    c.addBad(simpleKinds[Int(rng.next() % UInt64(simpleKinds.count))], base: record, rng: &rng,
                             maxRecordSize: maxRecordSize, splitSize: splitSize)
                case 1:
                    c.addBad(simpleKinds[Int(rng.next() % UInt64(simpleKinds.count))], base: record, rng: &rng,
                             maxRecordSize: maxRecordSize, splitSize: splitSize)
                    continue
                default:
                    break
                }
            }
            c.good(record)
        }
        // A truncated last line: no newline, cut inside a string.
        let last = valid.last!
        c.bad(Array(last.utf8.prefix(stringStart(last, "url") + 5)), rule: "syntax", field: nil, terminator: "")
        return c
    }

    /// The kinds a split boundary gets (short ones, so they straddle it).
    static let simpleKinds: [JSONLKind] = [.type, .floatPrice, .cut, .trailing, .noEventTime, .nullEventTime, .badByte, .bomInside]

    mutating func addBad(_ kind: JSONLKind, base: String, rng: inout TestRandom, maxRecordSize: Int, splitSize: Int) {
        let b = Array(base.utf8)
        switch kind {
        case .type:
            bad(Array(Self.replacing(base, "bidder") { "\"x\($0)\"" }.utf8), rule: "type", field: "bidder")
        case .crlfType:
            bad(Array(Self.replacing(base, "bidder") { "\"\($0)\"" }.utf8), rule: "type", field: "bidder", terminator: "\r\n")
        case .floatPrice:
            bad(Array(Self.replacing(base, "price") { "\($0).5" }.utf8), rule: "type", field: "price")
        case .cut:
            // Inside the extra string: an unterminated string.
            let from = Self.stringStart(base, "extra") + 1
            bad(Array(b.prefix(from + Int(rng.next() % UInt64(b.count - 2 - from)))), rule: "syntax", field: nil, checkField: false)
        case .trailing:
            bad(b + Array(" x".utf8), rule: "syntax", field: nil, checkField: false)
        case .noEventTime:
            let k = base.range(of: ",\"dateTime\":")!
            let v = base[k.upperBound...].firstIndex(of: ",")!
            bad(Array((String(base[..<k.lowerBound]) + String(base[v...])).utf8), rule: "eventTime", field: "dateTime")
        case .nullEventTime:
            bad(Array(Self.replacing(base, "dateTime") { _ in "null" }.utf8), rule: "eventTime", field: "dateTime")
        case .badByte:
            let at = Self.stringStart(base, "channel")
            bad(Array(b[..<at]) + [0xFF] + Array(b[at...]), rule: "utf8", field: "channel")
        case .cutCharacter:
            // The first two bytes of "€" (E2 82 AC), then the closing quote.
            let at = Self.stringStart(base, "channel")
            bad(Array(b[..<at]) + Array("caf".utf8) + [0xE2, 0x82] + Array(b[at...]), rule: "utf8", field: "channel")
        case .bomInside:
            bad([0xEF, 0xBB, 0xBF] + b, rule: "syntax", field: nil)
        case .tooLong:
            // Longer than a split: some splits start and end inside it.
            bad(Array(Self.padded(base, to: splitSize * 3 + Int(rng.next() % 1000)).utf8), rule: "recordSize", field: nil,
                maxRecordSize: maxRecordSize)
        case .justTooLong:
            // One or two bytes too many with the line break: LF, or CR LF.
            if rng.next() % 2 == 0 {
                bad(Array(Self.padded(base, to: maxRecordSize + Int(rng.next() % 2)).utf8), rule: "recordSize", field: nil,
                    maxRecordSize: maxRecordSize)
            } else {
                bad(Array(Self.padded(base, to: maxRecordSize - 1 + Int(rng.next() % 2)).utf8), rule: "recordSize", field: nil,
                    terminator: "\r\n", maxRecordSize: maxRecordSize)
            }
        }
    }

    /// `line` with the value of `"key":` (a number, null or a simple string) replaced by `f(value)`.
    static func replacing(_ line: String, _ key: String, _ f: (String) -> String) -> String {
        let k = line.range(of: "\"\(key)\":")!
        let end = line[k.upperBound...].range(of: ",\"")?.lowerBound ?? line.index(before: line.endIndex)
        return String(line[..<k.upperBound]) + f(String(line[k.upperBound..<end])) + String(line[end...])
    }

    /// The byte index just after the opening quote of string field `key`'s value.
    static func stringStart(_ line: String, _ key: String) -> Int {
        line.utf8.distance(from: line.utf8.startIndex, to: line.range(of: "\"\(key)\":\"")!.upperBound)
    }

    /// `line` with its `extra` string lengthened by `z`s to `length` bytes.
    static func padded(_ line: String, to length: Int) -> String {
        replacing(line, "extra") { "\"" + String(repeating: "z", count: max(length - line.utf8.count, 0)) + $0.dropFirst() }
    }

    // MARK: CSV

    /// The fields of a generated bid line, in schema order, as a CSV row; `set` replaces fields by
    /// name with the bytes given (written as they are: quotes, line breaks and all).
    static func csvRow(_ line: String, set: [String: [UInt8]] = [:]) -> [UInt8] {
        let names = ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"]
        let fields = names.map { name -> [UInt8] in
            if let v = set[name] { return v }
            let k = line.range(of: "\"\(name)\":")!
            let end = line[k.upperBound...].range(of: ",\"")?.lowerBound ?? line.index(before: line.endIndex)
            let v = line[k.upperBound..<end]
            return Array((v.hasPrefix("\"") ? v.dropFirst().dropLast() : v).utf8)
        }
        return Array(fields.joined(separator: [UInt8(ascii: ",")]))
    }

    /// The bad kinds a CSV corpus holds.
    enum CSVKind: CaseIterable {
        case fewerColumns, moreColumns, type, emptyEventTime, badByte, junkAfterQuote, multiLineThenBad, multiLineBad, escapedQuotes
    }

    /// A header, then `valid` as CSV rows with every ``CSVKind`` twice at seeded random places, and
    /// at the end a row whose quoted field never closes (it takes the rest of the file, one more row).
    static func csv(valid: [String], seed: UInt64) -> DeadLetterCorpus {
        var rng = TestRandom(seed: seed)
        var c = DeadLetterCorpus()
        c.raw(Array("auction,bidder,price,channel,url,dateTime,extra\n".utf8))
        var extras: [(at: Int, CSVKind)] = []
        for kind in CSVKind.allCases {
            for _ in 0..<2 { extras.append((Int(rng.next() % UInt64(valid.count - 2)), kind)) }
        }
        extras.sort { $0.at < $1.at }
        var next = 0
        for (i, record) in valid.dropLast(2).enumerated() {
            while next < extras.count && extras[next].at == i {
                let base = valid[Int(rng.next() % UInt64(valid.count))]
                c.addBad(extras[next].1, base: base)
                next += 1
            }
            c.good(String(decoding: csvRow(record), as: UTF8.self), output: record)
        }
        // The last row's channel opens a quote that never closes: the record runs to the end of the file.
        let last = csvRow(valid[valid.count - 2], set: ["channel": Array("\"Apple".utf8)]) + [10] + csvRow(valid[valid.count - 1])
        c.bad(last, rule: "syntax", field: nil, checkField: false)
        return c
    }

    mutating func addBad(_ kind: CSVKind, base: String) {
        switch kind {
        case .fewerColumns:
            bad(Array(Self.csvRow(base).split(separator: 44).dropLast().joined(separator: [44])), rule: "columns", field: nil)
        case .moreColumns:
            bad(Self.csvRow(base) + Array(",more".utf8), rule: "columns", field: nil)
        case .type:
            bad(Self.csvRow(base, set: ["bidder": Array("12x".utf8)]), rule: "type", field: "bidder")
        case .emptyEventTime:
            bad(Self.csvRow(base, set: ["dateTime": []]), rule: "eventTime", field: "dateTime")
        case .badByte:
            bad(Self.csvRow(base, set: ["channel": Array("caf".utf8) + [0xFF]]), rule: "utf8", field: "channel")
        case .junkAfterQuote:
            bad(Self.csvRow(base, set: ["channel": Array("\"Apple\"x".utf8)]), rule: "syntax", field: nil, checkField: false)
        case .multiLineThenBad:
            // A quoted field over two lines (a good record), then a bad row: its line counts both.
            good(String(decoding: Self.csvRow(base, set: ["extra": Array("\"ab\ncd\"".utf8)]), as: UTF8.self),
                 output: Self.replacing(base, "extra") { _ in #""ab\ncd""# })
            bad(Self.csvRow(base, set: ["price": Array("1.5".utf8)]), rule: "type", field: "price")
        case .multiLineBad:
            bad(Self.csvRow(base, set: ["extra": Array("\"a\nb\nc\"".utf8), "bidder": Array("12x".utf8)]), rule: "type", field: "bidder")
        case .escapedQuotes:
            good(String(decoding: Self.csvRow(base, set: ["extra": Array(#""a,""b""\#nc""#.utf8)]), as: UTF8.self),
                 output: Self.replacing(base, "extra") { _ in #""a,\"b\"\nc""# })
        }
    }
}
