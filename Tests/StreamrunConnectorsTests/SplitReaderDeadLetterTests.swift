import Foundation
import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Bad records at the split reader (issue 12): a seeded corpus of good and bad lines of every kind
/// (wrong type, broken JSON, invalid UTF-8, missing event time, longer than maxRecordSize, a BOM in
/// the middle, a truncated last line), read through random buffer sizes, batch sizes and splits,
/// must give exactly the good records in order and one dead letter per bad record, with its offset,
/// line, rule and bytes.
@Suite struct SplitReaderDeadLetterTests {
    static let schema = Schema([Field("id", .int), Field("pad", .string), Field("t", .timestamp)])
    static let maxRecordSize = 200

    struct Bad: Hashable, CustomStringConvertible {
        var offset: Int64
        var line: Int64
        var rule: String
        var raw: [UInt8]
        var rawLength: Int64?
        var description: String { "offset \(offset) line \(line) \(rule) \(raw.count) bytes \(rawLength.map { "of \($0)" } ?? "")" }
    }

    /// The first place two lists differ, briefly (so a failure does not print them whole).
    static func difference<T: Equatable & CustomStringConvertible>(_ a: [T], _ b: [T]) -> String? {
        guard a != b else { return nil }
        let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        return "counts \(a.count) vs \(b.count); first difference at \(k): \(k < a.count ? "\(a[k])" : "-") vs \(k < b.count ? "\(b[k])" : "-")"
    }

    struct Corpus {
        var bytes: [UInt8] = []
        var good: [Int64] = []
        var bad: [Bad] = []
    }

    /// Lines of every kind in a seeded order; CRLF now and then; the last line has no newline.
    static func corpus(seed: UInt64, lines: Int) -> Corpus {
        var rng = SplitMix64(seed: seed)
        var c = Corpus()
        var line: Int64 = 1
        for k in 0..<lines {
            let kind = rng.next() % 10
            let crlf = rng.next() % 5 == 0
            let offset = Int64(c.bytes.count)
            var text: [UInt8]
            var bad: (String, Int64?)?
            switch kind {
            case 0: text = Array(#"{"id": "x\#(k)", "pad": "a", "t": 1}"#.utf8); bad = ("type", nil)
            case 1: text = Array("not json \(k)".utf8); bad = ("syntax", nil)
            case 2: text = Array(#"{"id": \#(k), "pad": "ok"#.utf8) + [0xFF] + Array(#"", "t": 1}"#.utf8); bad = ("utf8", nil)
            case 3: text = Array(#"{"id": \#(k), "pad": "no time"}"#.utf8); bad = ("eventTime", nil)
            case 4:
                text = Array(#"{"id": \#(k), "pad": "\#(String(repeating: "L", count: maxRecordSize + Int(rng.next() % 900)))", "t": 1}"#.utf8)
                bad = ("recordSize", Int64(text.count))
            case 5 where k > 0: text = SplitReader.byteOrderMark + Array(#"{"id": \#(k), "pad": "", "t": 1}"#.utf8); bad = ("syntax", nil)
            case 6: text = []  // a blank line
            default: text = Array(#"{"id": \#(k), "pad": "\#(String(repeating: "p", count: Int(rng.next() % 40)))", "t": \#(k)}"#.utf8)
            }
            if let (rule, length) = bad {
                let raw = length == nil ? text : Array(text.prefix(maxRecordSize))
                c.bad.append(Bad(offset: offset, line: line, rule: rule, raw: raw, rawLength: length))
            } else if !text.isEmpty {
                c.good.append(Int64(k))
            }
            c.bytes += text + (crlf ? [13, 10] : [10])
            line += 1
        }
        // A truncated last line.
        let cut = Array(#"{"id": 999999, "pad"#.utf8)
        c.bad.append(Bad(offset: Int64(c.bytes.count), line: line, rule: "syntax", raw: cut))
        c.bytes += cut
        return c
    }

    static func file(_ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("f.jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func spec(_ onError: OnError) -> SourceSpec {
        var s = SourceSpec(id: "s", kind: .file, schema: schema, eventTime: EventTimeSpec(field: "t"))
        s.onError = onError
        s.maxRecordSize = maxRecordSize
        return s
    }

    /// Reads `split` to its end: the ids, and the dead letters as ``Bad`` values.
    static func read(_ split: FileSplit, bufferBytes: Int, maxRows: Int) throws -> (ids: [Int64], bad: [Bad]) {
        let handler = BadRecordHandler(spec: spec(.deadLetter), metrics: nil)
        let decoder = RecordDecoders.make(.jsonl, schema: schema, eventTimeField: "t")
        let reader = SplitReader(split: split, decoder: decoder, follow: false, badRecords: handler, bufferBytes: bufferBytes)
        var builder = BatchBuilder(schema: schema)
        var ids: [Int64] = []
        var bad: [Bad] = []
        while !reader.finished {
            _ = try reader.read(maxRows: maxRows, into: &builder)
            if case .int(let a) = builder.finish().columns[0].storage { ids += a }
            for row in handler.takeDeadLetters()?.rows(schema: DeadLetter.schema) ?? [] {
                guard case .int(let offset) = row[2], case .int(let line) = row[3], case .string(let rule) = row[6] else {
                    Issue.record("dead letter without offset, line or rule: \(row)")
                    continue
                }
                var raw: [UInt8] = []
                if case .string(let text) = row[8] { raw = Array(text.utf8) }
                if case .string(let b64) = row[9] { raw = Base64.decode(b64) ?? [] }
                var length: Int64?
                if case .int(let n) = row[10] { length = n }
                #expect(row[0] == .string("s"))
                #expect(row[1] == .string(split.path))
                bad.append(Bad(offset: offset, line: line, rule: rule, raw: raw, rawLength: length))
            }
        }
        return (ids, bad)
    }

    @Test func everyBadRecordIsDeadLetteredOnceWhateverTheBufferAndBatchSizes() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("SplitReaderDeadLetterTests seed", seed)
        var rng = SplitMix64(seed: seed)
        for round in 0..<12 {
            let c = Self.corpus(seed: rng.next(), lines: 60 + Int(rng.next() % 200))
            let path = try Self.file(c.bytes)
            let buffer = 16 + Int(rng.next() % 600)
            let rows = 1 + Int(rng.next() % 50)
            let (ids, bad) = try Self.read(FileSplit(path: path, start: 0, end: .max, index: 0), bufferBytes: buffer, maxRows: rows)
            let context = "seed \(seed) round \(round): buffer \(buffer), rows \(rows)"
            if let d = Self.difference(ids.map(String.init), c.good.map(String.init)) { Issue.record("\(context): ids: \(d)") }
            if let d = Self.difference(bad, c.bad) { Issue.record("\(context): dead letters: \(d)") }
        }
    }

    @Test func splitsTogetherDeadLetterEachBadRecordOnce() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("SplitReaderDeadLetterTests splits seed", seed)
        var rng = SplitMix64(seed: seed)
        for round in 0..<8 {
            let c = Self.corpus(seed: rng.next(), lines: 200)
            let path = try Self.file(c.bytes)
            var cuts = (0..<3).map { _ in Int64(rng.next() % UInt64(c.bytes.count)) }.sorted()
            cuts = [0] + cuts + [Int64(c.bytes.count)]
            var ids: [Int64] = []
            var bad: [Bad] = []
            for k in 0..<(cuts.count - 1) where cuts[k] < cuts[k + 1] {
                let split = FileSplit(path: path, start: cuts[k], end: cuts[k + 1], index: k)
                let r = try Self.read(split, bufferBytes: 64 + Int(rng.next() % 300), maxRows: 7)
                ids += r.ids
                bad += r.bad
            }
            let context = "seed \(seed) round \(round): cuts \(cuts)"
            if let d = Self.difference(ids.map(String.init), c.good.map(String.init)) { Issue.record("\(context): ids: \(d)") }
            if let d = Self.difference(bad, c.bad) { Issue.record("\(context): dead letters: \(d)") }
        }
    }

    @Test func failModeNamesTheFileAndLineOfTheFirstBadRecord() throws {
        let text = "{\"id\": 1, \"pad\": \"\", \"t\": 1}\n\n{\"id\": 2, \"pad\": 5, \"t\": 1}\n"
        let path = try Self.file(Array(text.utf8))
        let decoder = RecordDecoders.make(.jsonl, schema: Self.schema, eventTimeField: "t")
        let reader = SplitReader(split: FileSplit(path: path, start: 0, end: .max, index: 0), decoder: decoder, follow: false,
                                 badRecords: BadRecordHandler(spec: Self.spec(.fail), metrics: nil))
        var builder = BatchBuilder(schema: Self.schema)
        do {
            _ = try reader.read(maxRows: 100, into: &builder)
            Issue.record("a bad record did not fail the read")
        } catch {
            #expect(error.location == "\(path):3")
            #expect(error.message == #"field "pad": expected string, got 5"#)
        }
    }

    @Test func aLongRecordInAFollowedFileIsSkippedAsItGrows() throws {
        let head = Array("{\"id\": 1, \"pad\": \"\", \"t\": 1}\n{\"id\": 2, \"pad\": \"".utf8)
        let path = try Self.file(head)
        let handler = BadRecordHandler(spec: Self.spec(.deadLetter), metrics: nil)
        let decoder = RecordDecoders.make(.jsonl, schema: Self.schema, eventTimeField: "t")
        let reader = SplitReader(split: FileSplit(path: path, start: 0, end: .max, index: 0), decoder: decoder, follow: true,
                                 badRecords: handler, bufferBytes: 32)
        var builder = BatchBuilder(schema: Self.schema)
        let start = Int64(head.firstIndex(of: 10)! + 1)
        #expect(try reader.read(maxRows: 100, into: &builder) == 1)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? out.close() }
        try out.seekToEnd()
        var written = head.count
        // Grow the long record in pieces; it stays pending (and unbuffered) until its newline comes.
        for _ in 0..<20 {
            let piece = [UInt8](repeating: UInt8(ascii: "z"), count: 100)
            try out.write(contentsOf: Data(piece))
            written += piece.count
            #expect(try reader.read(maxRows: 100, into: &builder) == 0)
            #expect(handler.takeDeadLetters() == nil)
            #expect(reader.recordOffset == start, "a checkpoint taken now stores the long record's start")
        }
        let tail = Array("\", \"t\": 1}\n{\"id\": 3, \"pad\": \"\", \"t\": 3}\n".utf8)
        try out.write(contentsOf: Data(tail))
        #expect(try reader.read(maxRows: 100, into: &builder) == 1)
        let letters = try #require(handler.takeDeadLetters())
        #expect(letters.count == 1)
        let row = letters.rows(schema: DeadLetter.schema)[0]
        #expect(row[6] == .string("recordSize"))
        #expect(row[3] == .int(2))
        let recordLength = Int64(written) - start + Int64(tail.firstIndex(of: 10)!)
        #expect(row[10] == .int(recordLength))
        #expect(row[2] == .int(start))
    }

    @Test func csvBadRowsSpanningLinesKeepTheLineNumbersAfterThem() throws {
        let schema = Schema([Field("id", .int), Field("note", .string), Field("t", .timestamp)])
        let text = "1,plain,1\n2,\"two\nlines\",x\n3,short\n4,\"ok\nstill\",4\n5,\"open,5\n6,\"never closed"
        let path = try Self.file(Array(text.utf8))
        var spec = SourceSpec(id: "c", kind: .file, format: .csv, schema: schema)
        spec.onError = .deadLetter
        let handler = BadRecordHandler(spec: spec, metrics: nil)
        let decoder = RecordDecoders.make(.csv, schema: schema)
        for buffer in [8, 13, 64, 1 << 16] {
            let reader = SplitReader(split: FileSplit(path: path, start: 0, end: .max, index: 0), decoder: decoder, follow: false,
                                     badRecords: handler, bufferBytes: buffer)
            var builder = BatchBuilder(schema: schema)
            var ids: [Int64] = []
            while !reader.finished {
                _ = try reader.read(maxRows: 2, into: &builder)
                if case .int(let a) = builder.finish().columns[0].storage { ids += a }
            }
            #expect(ids == [1, 4], "buffer \(buffer)")
            let rows = handler.takeDeadLetters()?.rows(schema: DeadLetter.schema) ?? []
            let summary = rows.map { "\($0[3]) \($0[6]) \($0[8])" }
            #expect(summary == ["2 type 2,\"two\nlines\",x", "4 columns 3,short", "7 syntax 5,\"open,5\n6,\"never closed"],
                    "buffer \(buffer)")
        }
    }
}
