import StreamrunCore
import Testing

@testable import StreamrunConnectors

/// Helpers shared by the format tests.
enum FormatTesting {
    /// One column of every type: i int, f float, s string, b bool, t timestamp.
    static let schema = Schema([
        Field("i", .int), Field("f", .float), Field("s", .string), Field("b", .bool), Field("t", .timestamp),
    ])

    struct Result {
        var rows: [[Value]]
        var progress: DecodeProgress
        var batch: RecordBatch
    }

    /// Decodes `text` in one call.
    static func decode<D: RecordDecoder>(
        _ decoder: inout D, _ text: String, atEOF: Bool = true, maxRows: Int = .max
    ) throws(DecodeError) -> Result {
        var builder = BatchBuilder(schema: decoder.schema)
        let bytes = Array(text.utf8)
        let progress = try bytes.withUnsafeBufferPointer { (buffer) throws(DecodeError) in
            try decoder.decode(buffer, atEOF: atEOF, maxRows: maxRows, into: &builder)
        }
        let batch = builder.finish()
        return Result(rows: batch.rows(schema: decoder.schema), progress: progress, batch: batch)
    }

    static func jsonl(_ text: String, schema: Schema = schema, atEOF: Bool = true, maxRows: Int = .max) throws(DecodeError) -> Result {
        var decoder = JSONLDecoder(schema: schema)
        return try decode(&decoder, text, atEOF: atEOF, maxRows: maxRows)
    }

    static func csv(
        _ text: String, schema: Schema = schema, delimiter: Character = ",", header: Bool = false, atEOF: Bool = true,
        maxRows: Int = .max
    ) throws(DecodeError) -> Result {
        var decoder = CSVDecoder(schema: schema, delimiter: delimiter.asciiValue!, header: header)
        return try decode(&decoder, text, atEOF: atEOF, maxRows: maxRows)
    }

    /// The error that decoding `text` throws, or nil.
    static func error(_ body: () throws(DecodeError) -> Result) -> DecodeError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    /// Decodes `bytes` as a file source would: reads of `chunk(k)` bytes appended to a carry-over
    /// buffer, each call decoding what is complete. Returns the rows and the total line count.
    static func decodeChunked<D: RecordDecoder>(
        _ decoder: inout D, _ bytes: [UInt8], maxRows: Int = 1000, chunk: (Int) -> Int
    ) throws(DecodeError) -> (batch: RecordBatch, lines: Int) {
        var builder = BatchBuilder(schema: decoder.schema)
        var pending: [UInt8] = []
        var offset = 0
        var lines = 0
        var k = 0
        while true {
            let atEOF = offset == bytes.count
            let progress = try pending.withUnsafeBufferPointer { (buffer) throws(DecodeError) in
                try decoder.decode(buffer, atEOF: atEOF, maxRows: maxRows, into: &builder)
            }
            lines += progress.lines
            pending.removeFirst(progress.bytes)
            if progress.bytes == 0 && progress.rows == 0 {
                if atEOF { break }
                let n = min(max(chunk(k), 1), bytes.count - offset)
                k += 1
                pending += bytes[offset..<(offset + n)]
                offset += n
            }
        }
        #expect(pending.isEmpty, "undecoded bytes left at EOF")
        return (builder.finish(), lines)
    }

    /// Rows equal, floats compared bit for bit (so -0.0 differs from 0.0).
    static func sameRows(_ a: [[Value]], _ b: [[Value]]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.count == y.count else { return false }
            for (u, v) in zip(x, y) {
                switch (u, v) {
                case (.float(let p), .float(let q)): if p.bitPattern != q.bitPattern { return false }
                default: if u != v { return false }
                }
            }
        }
        return true
    }

    /// A seed from FORMAT_TEST_SEED, else a random one; printed so a failure can be replayed.
    static func seed(_ test: String) -> UInt64 {
        let seed = ProcessInfoSeed.value ?? UInt64.random(in: 0...UInt64.max)
        print("\(test): seed \(seed) (replay with FORMAT_TEST_SEED=\(seed))")
        return seed
    }
}

enum ProcessInfoSeed {
    static var value: UInt64? {
        guard let text = getenv("FORMAT_TEST_SEED") else { return nil }
        return UInt64(String(cString: text))
    }
}

/// A seeded random source for tests.
typealias TestRandom = SplitMix64

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
