import StreamrunCore

/// Writes rows as CSV (RFC 4180), `\n` line ends, fields in the configured order.
///
/// A string is quoted only when it holds the delimiter, a quote, CR or LF (quotes doubled), or is
/// empty (written `""`). A null is an empty field, except in a one-column file, where it is
/// written `""` so the line is not blank. Ints and timestamps are integers (epoch milliseconds);
/// floats use `FloatFormat.string` (`NaN`, `Infinity`, `-Infinity` included, which ``CSVDecoder``
/// reads back); bools are `true`/`false`.
public struct CSVEncoder: RecordEncoder {
    public let columns: EncoderColumns
    public let delimiter: UInt8

    public init(_ columns: EncoderColumns, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.columns = columns
        self.delimiter = delimiter
    }

    /// The header line: the column names, quoted where needed, and `\n`.
    public func header() -> [UInt8] {
        Self.header(columns.names, delimiter: delimiter)
    }

    /// A header line for `names`.
    public static func header(_ names: [String], delimiter: UInt8 = UInt8(ascii: ",")) -> [UInt8] {
        var out: [UInt8] = []
        for (k, name) in names.enumerated() {
            if k > 0 { out.append(delimiter) }
            var name = name
            name.withUTF8 { appendString($0, delimiter: delimiter, to: &out) }
        }
        out.append(ASCII.newline)
        return out
    }

    public func encode(_ batch: RecordBatch, rows: [Int32]?, into out: inout [UInt8]) {
        let count = rows?.count ?? batch.count
        let delimiter = self.delimiter
        out.reserveCapacity(out.count + count * (8 + 10 * columns.indices.count))
        ColumnView.with(batch, columns.indices) { views in
            for r in 0..<count {
                let row = rows.map { Int($0[r]) } ?? r
                for k in 0..<views.count {
                    if k > 0 { out.append(delimiter) }
                    let view = views[k]
                    if view.isNull(row) {
                        if views.count == 1 { out.append(contentsOf: [ASCII.quote, ASCII.quote]) }
                        continue
                    }
                    switch view.kind {
                    case .int: ByteWriter.appendInt(view.int(row), to: &out)
                    case .float: ByteWriter.appendFloat(view.float(row), to: &out)
                    case .bool: ByteWriter.appendBool(view.bool(row), to: &out)
                    case .string: Self.appendString(view.string(row), delimiter: delimiter, to: &out)
                    }
                }
                out.append(ASCII.newline)
            }
        }
    }

    @inline(__always)
    static func appendString(_ s: UnsafeBufferPointer<UInt8>, delimiter: UInt8, to out: inout [UInt8]) {
        guard let p = s.baseAddress, s.count > 0 else {
            out.append(contentsOf: [ASCII.quote, ASCII.quote])
            return
        }
        let n = s.count
        if !needsQuotes(p, n, delimiter) {
            out.append(contentsOf: s)
            return
        }
        out.append(ASCII.quote)
        var run = 0
        while let q = firstQuote(p, run, n) {
            out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: q &+ 1 &- run))
            out.append(ASCII.quote)
            run = q &+ 1
        }
        out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: n &- run))
        out.append(ASCII.quote)
    }

    @inline(__always)
    static func needsQuotes(_ p: UnsafePointer<UInt8>, _ n: Int, _ delimiter: UInt8) -> Bool {
        var j = 0
        while j &+ 8 <= n {
            let v = SWAR.load(p + j)
            let mask = SWAR.equal(v, delimiter) | SWAR.equal(v, ASCII.quote) | SWAR.equal(v, ASCII.newline)
                | SWAR.equal(v, ASCII.cr)
            if mask != 0 { return true }
            j &+= 8
        }
        while j < n {
            let c = p[j]
            if c == delimiter || c == ASCII.quote || c == ASCII.newline || c == ASCII.cr { return true }
            j &+= 1
        }
        return false
    }

    static func firstQuote(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int) -> Int? {
        var j = from
        while j < n {
            if p[j] == ASCII.quote { return j }
            j &+= 1
        }
        return nil
    }
}
