import StreamrunCore
import StreamrunPlan

extension JSONLDecoder {
    /// A timestamp value of a column with a `format`: read by it, then checked against the column's
    /// bounds and enum.
    ///
    /// A number or string that does not fit the format breaks rule `format`; any other JSON value
    /// is a type mismatch.
    @inline(never)
    mutating func formattedTimestamp(_ column: Int, _ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws(RecordProblem) -> Int64 {
        let start = i
        let c = p[i]
        let isNumber = c == ASCII.minus || c &- ASCII.zero <= 9
        guard isNumber || c == ASCII.quote else { throw try mismatch(column, p, i, end) }
        let ms: Int64
        switch fields.checks.formatKind[column] {
        case FieldChecks.FormatKind.epochMillis:
            guard isNumber, let v = epochInteger(p, &i, end) else { throw try badFormat(column, p, start, end) }
            ms = v
        case FieldChecks.FormatKind.epochSeconds:
            guard isNumber, let v = epochInteger(p, &i, end) else { throw try badFormat(column, p, start, end) }
            let (product, overflow) = v.multipliedReportingOverflow(by: 1000)
            guard !overflow else { throw try badFormat(column, p, start, end) }
            ms = product
        default:
            guard !isNumber, let v = try formattedString(column, p, &i, end) else { throw try badFormat(column, p, start, end) }
            ms = v
        }
        try fields.checks.timestamp(column, ms, at: start)
        return ms
    }

    /// A JSON integer at `p[i]` (`-` or a digit), or nil for any other number (`1.5`, `1e3`, `01`,
    /// out of the Int64 range).
    func epochInteger(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) -> Int64? {
        let start = i
        let (v, status) = NumberScan.int64(p, &i, end)
        guard status == .ok, i == end || (p[i] != ASCII.dot && p[i] | 0x20 != ASCII.lowerE) else { return nil }
        let digits = p[start] == ASCII.minus ? start &+ 1 : start
        return p[digits] != ASCII.zero || i &- digits == 1 ? v : nil
    }

    /// The string at `p[i]` (an opening quote) read by the column's text format (iso8601 or a
    /// pattern), or nil when it does not fit.
    mutating func formattedString(_ column: Int, _ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws(RecordProblem) -> Int64? {
        i &+= 1
        let stop = JSONScan.stringStop(p, i, end)
        if stop < end && p[stop] == ASCII.quote {
            defer { i = stop &+ 1 }
            return fields.checks.parseTimestamp(column, UnsafeBufferPointer(start: p + i, count: stop &- i))
        }
        scratch.removeAll(keepingCapacity: true)
        try JSONScan.decodeString(p, &i, end, into: &scratch)
        return scratch.withUnsafeBufferPointer { fields.checks.parseTimestamp(column, $0) }
    }

    /// The `format` problem for the value at `p[start]`, quoted as written (or the syntax error, if
    /// it is not valid JSON).
    @inline(never)
    func badFormat(_ column: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(RecordProblem) -> RecordProblem {
        var i = start
        try JSONScan.skipValue(p, &i, end)
        return fields.checks.badFormat(column, Snippet.text(UnsafeBufferPointer(start: p + start, count: i &- start)), at: start)
    }
}
