import StreamrunCore

/// Writes dead letters (rows of ``DeadLetter/schema``) as the dead-letter envelope, one JSON object
/// per line, members always in this order:
///
/// `{"source":"bids","file":"/data/bids.jsonl","offset":1234,"line":17,"operator":null,`
/// `"error":{"field":"price","rule":"type","message":"field \"price\": expected int, got \"x\""},"raw":"{…}"}`
///
/// `raw` holds the record's bytes as a string when they are valid UTF-8; otherwise `rawBase64` holds
/// them base64-encoded instead. `rawLength` follows only for a record longer than `maxRecordSize`,
/// whose first bytes alone are kept. Nothing depends on the clock, so a replay writes the same bytes.
public struct DeadLetterEncoder: RecordEncoder {
    public init() {}

    /// Whether a sink writing `columns` of its input writes dead letters: all of ``DeadLetter/schema``, in order.
    public static func matches(_ columns: EncoderColumns) -> Bool {
        columns.names == DeadLetter.schema.names && columns.types == DeadLetter.schema.fields.map(\.type)
            && columns.indices == Array(0..<DeadLetter.schema.count)
    }

    public func encode(_ batch: RecordBatch, rows: [Int32]?, into out: inout [UInt8]) {
        let count = rows?.count ?? batch.count
        ColumnView.with(batch, Array(0..<DeadLetter.schema.count)) { v in
            for r in 0..<count {
                let row = rows.map { Int($0[r]) } ?? r
                Self.member("{\"source\":", v[0], row, &out)
                Self.member(",\"file\":", v[1], row, &out)
                Self.member(",\"offset\":", v[2], row, &out)
                Self.member(",\"line\":", v[3], row, &out)
                Self.member(",\"operator\":", v[4], row, &out)
                Self.member(",\"error\":{\"field\":", v[5], row, &out)
                Self.member(",\"rule\":", v[6], row, &out)
                Self.member(",\"message\":", v[7], row, &out)
                if v[8].isNull(row) && !v[9].isNull(row) {
                    Self.member("},\"rawBase64\":", v[9], row, &out)
                } else {
                    Self.member("},\"raw\":", v[8], row, &out)
                }
                if !v[10].isNull(row) { Self.member(",\"rawLength\":", v[10], row, &out) }
                out.append(ASCII.rbrace)
                out.append(ASCII.newline)
            }
        }
    }

    private static func member(_ prefix: StaticString, _ view: ColumnView, _ row: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        JSONLEncoder.appendValue(view, row, to: &out)
    }
}
