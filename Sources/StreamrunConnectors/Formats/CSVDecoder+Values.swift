import StreamrunCore
import StreamrunPlan

extension CSVDecoder {
    /// Converts the field text `p[start..<end]` (quotes removed, unescaped) into `column`.
    @inline(__always)
    func store(
        _ column: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into builder: inout BatchBuilder
    ) throws(RecordProblem) {
        let type = fields.types[column]
        // Zero for a column without constraints; tested once per value.
        let flags = fields.flags[column]
        if type == .string {
            if !UTF8Check.isASCII(p, start, end), let m = UTF8Check.problem(field: fields.names[column], p, start, end) {
                throw .value(m, column: column, rule: .utf8)
            }
            let text = UnsafeBufferPointer(start: p + start, count: end &- start)
            if flags != 0 && !fields.checks.fits(column, text) { try fields.checks.string(column, text, empty: true, at: nil) }
            builder.appendString(column, text)
            return
        }
        var s = start
        var e = end
        while s < e && (p[s] == ASCII.space || p[s] == ASCII.tab) { s &+= 1 }
        while e > s && (p[e &- 1] == ASCII.space || p[e &- 1] == ASCII.tab) { e &-= 1 }
        if s == e {
            if column == eventTimeColumn { throw .value("event time field \"\(fields.names[column])\" is empty", column: column, rule: .eventTime) }
            if flags & FieldFlags.refusesNull != 0 { throw fields.checks.empty(column) }
            builder.appendNull(column)
            return
        }
        switch type {
        case .timestamp where flags & FieldFlags.value != 0 && fields.checks.formatKind[column] != FieldChecks.FormatKind.none:
            builder.appendInt(column, try formattedTimestamp(column, p, s, e))
        case .int, .timestamp:
            var i = s
            let (n, status) = NumberScan.int64(p, &i, e, allowPlus: true)
            let v: Int64
            if status == .ok && i == e {
                v = n
            } else if type == .timestamp && status != .overflow,
                let ms = Timestamps.parse(UnsafeBufferPointer(start: p + s, count: e &- s))
            {
                v = ms
            } else {
                throw mismatch(column, p, s, e, overflow: status == .overflow && i == e)
            }
            if flags & FieldFlags.value != 0 && !fields.checks.fits(column, v) {
                if type == .int { try fields.checks.int(column, v, at: nil) } else { try fields.checks.timestamp(column, v, at: nil) }
            }
            builder.appendInt(column, v)
        case .float:
            var i = s
            let v: Double
            if let x = NumberScan.double(p, &i, e, lenient: true), i == e {
                v = x
            } else if let x = Self.special(UnsafeBufferPointer(start: p + s, count: e &- s)) {
                v = x
            } else {
                throw mismatch(column, p, s, e, overflow: false)
            }
            if flags & FieldFlags.value != 0 && !fields.checks.fits(column, v) { try fields.checks.float(column, v, at: nil) }
            builder.appendFloat(column, v)
        case .bool:
            let text = UnsafeBufferPointer(start: p + s, count: e &- s)
            let v: Bool
            if Self.equalsIgnoringCase(text, "true") {
                v = true
            } else if Self.equalsIgnoringCase(text, "false") {
                v = false
            } else {
                throw mismatch(column, p, s, e, overflow: false)
            }
            if flags & FieldFlags.value != 0 { try fields.checks.bool(column, v, at: nil) }
            builder.appendBool(column, v)
        case .string:
            preconditionFailure("handled above")
        }
    }

    /// `NaN`, `Infinity`, `+Infinity`, `-Infinity` (as `FloatFormat` writes them).
    static func special(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        if equalsIgnoringCase(text, "NaN") { return .nan }
        if equalsIgnoringCase(text, "Infinity") || equalsIgnoringCase(text, "+Infinity") { return .infinity }
        if equalsIgnoringCase(text, "-Infinity") { return -.infinity }
        return nil
    }

    static func equalsIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard text.count == word.utf8CodeUnitCount else { return false }
        for k in 0..<text.count where text[k] | 0x20 != word.utf8Start[k] | 0x20 { return false }
        return true
    }

    @inline(never)
    func mismatch(_ column: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, overflow: Bool) -> RecordProblem {
        let expected = fields.types[column] == .timestamp ? "timestamp (epoch ms or ISO-8601)" : fields.types[column].rawValue
        let got = "\"" + Snippet.text(UnsafeBufferPointer(start: p + start, count: end &- start)) + "\""
        return .value("field \"\(fields.names[column])\": expected \(expected), got \(got)\(overflow ? " (out of range)" : "")", column: column)
    }
}
