import StreamrunCore
import StreamrunPlan

extension CSVDecoder {
    /// The timestamp in `p[s..<e]` (trimmed, not empty) of a column with a `format`: read by it,
    /// then checked against the column's bounds and enum. Text that does not fit the format breaks
    /// rule `format`.
    @inline(never)
    func formattedTimestamp(_ column: Int, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) throws(RecordProblem) -> Int64 {
        guard let ms = Self.read(fields.checks.formatKind[column], fields.checks, column, p, s, e) else {
            throw fields.checks.badFormat(column, "\"" + Snippet.text(UnsafeBufferPointer(start: p + s, count: e &- s)) + "\"", at: nil)
        }
        try fields.checks.timestamp(column, ms, at: nil)
        return ms
    }

    /// `p[s..<e]` read by format `kind` (a ``FieldChecks/FormatKind`` other than none), as epoch ms, or nil.
    static func read(_ kind: UInt8, _ checks: FieldChecks, _ column: Int, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        guard kind == FieldChecks.FormatKind.epochMillis || kind == FieldChecks.FormatKind.epochSeconds else {
            return checks.parseTimestamp(column, UnsafeBufferPointer(start: p + s, count: e &- s))
        }
        var i = s
        let (v, status) = NumberScan.int64(p, &i, e, allowPlus: true)
        guard status == .ok && i == e else { return nil }
        if kind == FieldChecks.FormatKind.epochMillis { return v }
        let (ms, overflow) = v.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : ms
    }
}
