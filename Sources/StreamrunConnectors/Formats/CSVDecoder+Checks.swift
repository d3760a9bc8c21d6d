import StreamrunCore
import StreamrunPlan

extension CSVDecoder {
    /// The timestamp in `p[s..<e]` (trimmed, not empty) of a column with constraints: read by the
    /// column's `format` (or as usual without one: epoch ms or ISO-8601), then checked against its
    /// bounds and enum. Text that does not fit the format breaks rule `format`.
    @inline(never)
    func checkedTimestamp(_ column: Int, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) throws(RecordProblem) -> Int64 {
        let checks = fields.checks
        let text = UnsafeBufferPointer(start: p + s, count: e &- s)
        let ms: Int64
        switch checks.format(column) {
        case nil:
            var i = s
            let (v, status) = NumberScan.int64(p, &i, e, allowPlus: true)
            if status == .ok && i == e {
                ms = v
            } else if status != .overflow, let t = Timestamps.parse(text) {
                ms = t
            } else {
                throw mismatch(column, p, s, e, overflow: status == .overflow && i == e)
            }
        case let format?:
            guard let v = Self.read(format, checks, column, p, s, e) else {
                throw checks.badFormat(column, "\"" + Snippet.text(text) + "\"", at: nil)
            }
            ms = v
        }
        try checks.timestamp(column, ms, at: nil)
        return ms
    }

    /// `p[s..<e]` read by `format`, as epoch ms, or nil.
    static func read(_ format: TimestampFormat, _ checks: FieldChecks, _ column: Int, _ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Int64? {
        switch format {
        case .epochMillis, .epochSeconds:
            var i = s
            let (v, status) = NumberScan.int64(p, &i, e, allowPlus: true)
            guard status == .ok && i == e else { return nil }
            if format == .epochMillis { return v }
            let (ms, overflow) = v.multipliedReportingOverflow(by: 1000)
            return overflow ? nil : ms
        case .iso8601, .pattern:
            return checks.parseTimestamp(column, UnsafeBufferPointer(start: p + s, count: e &- s))
        }
    }
}
