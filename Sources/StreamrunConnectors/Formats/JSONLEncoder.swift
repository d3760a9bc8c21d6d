import StreamrunCore

/// Writes rows as JSON Lines: `{"auction":1,"price":2.5,"channel":"Google",...}` and `\n`.
///
/// Keys come in the configured order. Nulls are `null`; ints and timestamps are integers (epoch
/// milliseconds for timestamps); floats use `FloatFormat.string`, except NaN and ±Infinity, which
/// JSON cannot hold and are written as `null`. Strings escape `"` and `\`, write `\b \f \n \r \t`
/// for those controls and `\u00XX` for the other bytes below 0x20, and copy every other byte as is
/// (non-ASCII text stays UTF-8).
public struct JSONLEncoder: RecordEncoder {
    public let columns: EncoderColumns
    /// `{"name":` for the first column, `,"name":` for the others, back to back.
    let prefixes: [UInt8]
    let prefixEnds: [Int]

    public init(_ columns: EncoderColumns) {
        self.columns = columns
        var prefixes: [UInt8] = []
        var ends: [Int] = []
        for (k, name) in columns.names.enumerated() {
            prefixes.append(k == 0 ? ASCII.lbrace : ASCII.comma)
            var name = name
            name.withUTF8 { ByteWriter.appendJSONString($0, to: &prefixes) }
            prefixes.append(ASCII.colon)
            ends.append(prefixes.count)
        }
        self.prefixes = prefixes
        self.prefixEnds = ends
    }

    public func encode(_ batch: RecordBatch, rows: [Int32]?, into out: inout [UInt8]) {
        let count = rows?.count ?? batch.count
        out.reserveCapacity(out.count + count * (16 + 12 * columns.indices.count))
        ColumnView.with(batch, columns.indices) { views in
            prefixes.withUnsafeBufferPointer { prefixes in
                for r in 0..<count {
                    let row = rows.map { Int($0[r]) } ?? r
                    if views.isEmpty { out.append(ASCII.lbrace) }
                    var from = 0
                    for k in 0..<views.count {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: prefixes[from..<prefixEnds[k]]))
                        from = prefixEnds[k]
                        Self.appendValue(views[k], row, to: &out)
                    }
                    out.append(ASCII.rbrace)
                    out.append(ASCII.newline)
                }
            }
        }
    }

    @inline(__always)
    static func appendValue(_ view: ColumnView, _ row: Int, to out: inout [UInt8]) {
        if view.isNull(row) {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C] as [UInt8])
            return
        }
        switch view.kind {
        case .int: ByteWriter.appendInt(view.int(row), to: &out)
        case .float:
            let v = view.float(row)
            if v.isFinite {
                ByteWriter.appendFloat(v, to: &out)
            } else {
                out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C] as [UInt8])
            }
        case .bool: ByteWriter.appendBool(view.bool(row), to: &out)
        case .string: ByteWriter.appendJSONString(view.string(row), to: &out)
        }
    }
}
