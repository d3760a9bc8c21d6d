import Foundation
import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Issue 11, item 14: a UTF-8 byte order mark at the start of a file gave `expected a JSON object,
/// got byte 0xEF` (JSONL) and `expected int, got "﻿1000"` (CSV). The split at offset 0 skips it, and
/// checkpoint offsets stay exact: they count the mark, and a split resumed later skips nothing.
@Suite struct SplitReaderBOMTests {
    static let schema = Schema([Field("id", .int), Field("pad", .string)])
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func file(_ bytes: [UInt8], _ name: String = "f.jsonl") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bom-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func lines(_ n: Int) -> [UInt8] {
        Array((0..<n).map { #"{"id": \#($0), "pad": "\#(String(repeating: "p", count: $0 % 7))"}"# + "\n" }.joined().utf8)
    }

    /// Reads what is left of `reader`; the ids.
    static func drain(_ reader: SplitReader, maxRows: Int = 3) throws -> [Int64] {
        var builder = BatchBuilder(schema: schema)
        var ids: [Int64] = []
        while !reader.finished {
            let n = try reader.read(maxRows: maxRows, into: &builder)
            if case .int(let a) = builder.finish().columns[0].storage { ids += a }
            if n == 0 && !reader.finished { break }
        }
        return ids
    }

    static func reader(_ path: String, _ split: FileSplit? = nil, format: DataFormat = .jsonl, header: Bool = false,
                       resumeAt: Int64? = nil) -> SplitReader {
        let split = split ?? FileSplit(path: path, start: 0, end: .max, index: 0)
        let decoder = RecordDecoders.make(format, schema: schema, csvHeader: header)
        guard let resumeAt else { return SplitReader(split: split, decoder: decoder, follow: false, bufferBytes: 64) }
        return SplitReader(split: split, decoder: decoder, follow: false, resumeAt: resumeAt, finished: false)
    }

    @Test func jsonlFileWithAByteOrderMarkReadsEveryRecord() throws {
        let body = Self.lines(40)
        let path = try Self.file(Self.bom + body)
        let reader = Self.reader(path)
        #expect(try Self.drain(reader) == Array(0..<40))
        #expect(reader.recordOffset == Int64(3 + body.count))
    }

    @Test func theFirstCheckpointOffsetCountsTheMark() throws {
        let body = Self.lines(10)
        let path = try Self.file(Self.bom + body)
        let reader = Self.reader(path)
        var builder = BatchBuilder(schema: Self.schema)
        #expect(try reader.read(maxRows: 1, into: &builder) == 1)
        let firstLine = body.firstIndex(of: 0x0A)! + 1
        #expect(reader.recordOffset == Int64(3 + firstLine))
        // Resumed there (or right after the mark), it reads the rest; resumed at 0, it skips the mark again.
        #expect(try Self.drain(Self.reader(path, resumeAt: Int64(3 + firstLine))) == Array(1..<10))
        #expect(try Self.drain(Self.reader(path, resumeAt: 3)) == Array(0..<10))
        #expect(try Self.drain(Self.reader(path, resumeAt: 0)) == Array(0..<10))
    }

    @Test func aSplitResumedAtALaterOffsetSkipsNothing() throws {
        // A mark in the middle of a file is data (here: bad data), also when a split resumes right there.
        let first = Self.lines(1)
        let path = try Self.file(first + Self.bom + Array(#"{"id": 1}"#.utf8) + [0x0A])
        #expect(throws: StreamrunError.self) { try Self.drain(Self.reader(path, resumeAt: Int64(first.count))) }
        #expect(throws: StreamrunError.self) { try Self.drain(Self.reader(path)) }
    }

    @Test func everyLineExactlyOnceForAnySplitSize() throws {
        let body = Self.lines(60)
        let path = try Self.file(Self.bom + body)
        for splitBytes in [1, 2, 3, 4, 5, 7, 30, 64, 200, 10_000] {
            let splits = FileSplits.plan(files: [path], splittable: true, splitBytes: splitBytes)
            var ids: [Int64] = []
            for s in splits { ids += try Self.drain(Self.reader(path, s)) }
            #expect(ids == Array(0..<60), "splitBytes \(splitBytes)")
        }
    }

    @Test func errorLinesCountFromTheTopOfAFileWithAMark() throws {
        let path = try Self.file(Self.bom + Self.lines(2) + Array("{oops\n".utf8))
        do {
            _ = try Self.drain(Self.reader(path))
            Issue.record("no error")
        } catch {
            #expect("\(error)".hasPrefix("\(path):3: "), "\(error)")
        }
    }

    @Test func csvHeaderAfterAMarkIsSkippedAndTheFirstFieldParses() throws {
        let withHeader = try Self.file(Self.bom + Array("id,pad\n1000,a\n1001,b\n".utf8), "h.csv")
        #expect(try Self.drain(Self.reader(withHeader, format: .csv, header: true)) == [1000, 1001])
        let without = try Self.file(Self.bom + Array("1000,a\n1001,b\n".utf8), "n.csv")
        #expect(try Self.drain(Self.reader(without, format: .csv)) == [1000, 1001])
    }

    @Test func aFileOfOnlyAMarkOrShorterThanOne() throws {
        #expect(try Self.drain(Self.reader(try Self.file(Self.bom))) == [])
        #expect(try Self.drain(Self.reader(try Self.file(Self.bom + [0x0A]))) == [])
        #expect(try Self.drain(Self.reader(try Self.file([0x0A]))) == [])
        #expect(throws: StreamrunError.self) { try Self.drain(Self.reader(try Self.file([0xEF, 0xBB]))) }
    }
}
