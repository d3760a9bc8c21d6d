import StreamrunCore
import StreamrunPlan

/// Writes rows of a ``RecordBatch`` as the bytes of a record format (JSONL, CSV).
///
/// An encoder is configured once with the columns to write (indices into the batch's columns),
/// their output names and their types, then called for each batch. Every record ends in `\n`.
public protocol RecordEncoder: Sendable {
    /// Appends one record per row to `out`: every row of `batch`, or the rows in `rows`, in that order.
    func encode(_ batch: RecordBatch, rows: [Int32]?, into out: inout [UInt8])
}

extension RecordEncoder {
    /// Appends one record per row of `batch` to `out`.
    public func encode(_ batch: RecordBatch, into out: inout [UInt8]) {
        encode(batch, rows: nil, into: &out)
    }
}

/// Which columns an encoder writes, under which names, with which types.
public struct EncoderColumns: Sendable, Hashable {
    /// Indices into `RecordBatch.columns`.
    public var indices: [Int]
    public var names: [String]
    public var types: [FieldType]

    public init(indices: [Int], names: [String], types: [FieldType]) {
        precondition(indices.count == names.count && names.count == types.count, "EncoderColumns: counts differ")
        self.indices = indices
        self.names = names
        self.types = types
    }

    /// The fields of `schema` called `fields` (all of them if nil), in that order.
    ///
    /// - Important: Every name must be in the schema (job validation checks this first).
    public init(schema: Schema, fields: [String]? = nil) {
        let indices = fields.map { names in
            names.map { name in
                guard let i = schema.index(of: name) else { preconditionFailure("EncoderColumns: no field \(name)") }
                return i
            }
        } ?? Array(0..<schema.count)
        self.init(indices: indices, names: indices.map { schema[$0].name }, types: indices.map { schema[$0].type })
    }
}

/// Builds the encoder for a sink's format.
public enum RecordEncoders {
    public static func make(
        _ format: DataFormat, columns: EncoderColumns, csvDelimiter: UInt8 = UInt8(ascii: ",")
    ) -> any RecordEncoder {
        switch format {
        case .jsonl where DeadLetterEncoder.matches(columns): return DeadLetterEncoder()
        case .jsonl: return JSONLEncoder(columns)
        case .csv: return CSVEncoder(columns, delimiter: csvDelimiter)
        }
    }
}

/// Appending text to byte buffers without creating Strings.
enum ByteWriter {
    /// Appends the decimal digits of `v`.
    @inline(__always)
    static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        if v >= 0 && v < 10 {
            out.append(UInt8(truncatingIfNeeded: v) &+ ASCII.zero)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var m = v.magnitude
            var k = 20
            repeat {
                let q = m / 10
                k &-= 1
                buf[k] = UInt8(truncatingIfNeeded: m &- q &* 10) &+ ASCII.zero
                m = q
            } while m != 0
            if v < 0 {
                k &-= 1
                buf[k] = ASCII.minus
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[k..<20]))
        }
    }

    /// Appends `FloatFormat.string(v)` (`NaN`, `Infinity` and `-Infinity` for non-finite values).
    @inline(__always)
    static func appendFloat(_ v: Double, to out: inout [UInt8]) {
        var s = FloatFormat.string(v)
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendBool(_ v: Bool, to out: inout [UInt8]) {
        if v {
            out.append(contentsOf: [0x74, 0x72, 0x75, 0x65] as [UInt8])
        } else {
            out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65] as [UInt8])
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string literal: `"` and `\` escaped, `\b \f \n \r \t` for those
    /// controls and `\u00XX` for the other bytes below 0x20. Other bytes are copied as they are.
    @inline(__always)
    static func appendJSONString(_ s: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(ASCII.quote)
        if let p = s.baseAddress {
            let n = s.count
            var run = 0
            while true {
                let stop = JSONScan.stringStop(p, run, n)
                out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: stop &- run))
                if stop == n { break }
                appendEscape(p[stop], to: &out)
                run = stop &+ 1
            }
        }
        out.append(ASCII.quote)
    }

    static func appendEscape(_ c: UInt8, to out: inout [UInt8]) {
        out.append(ASCII.backslash)
        switch c {
        case ASCII.quote, ASCII.backslash: out.append(c)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case ASCII.newline: out.append(UInt8(ascii: "n"))
        case ASCII.cr: out.append(UInt8(ascii: "r"))
        case ASCII.tab: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: [UInt8(ascii: "u"), ASCII.zero, ASCII.zero, hexDigits[Int(c >> 4)], hexDigits[Int(c & 15)]])
        }
    }
}
