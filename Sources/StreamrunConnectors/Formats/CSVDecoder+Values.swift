import StreamrunCore

extension CSVDecoder {
    /// Converts the field text `p[start..<end]` (quotes removed, unescaped) into `column`.
    @inline(__always)
    func store(
        _ column: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into builder: inout BatchBuilder
    ) throws(RecordProblem) {
        let type = fields.types[column]
        if type == .string {
            if !UTF8Check.isASCII(p, start, end), let m = UTF8Check.problem(field: fields.names[column], p, start, end) {
                throw .value(m, column: column, rule: .utf8)
            }
            builder.appendString(column, UnsafeBufferPointer(start: p + start, count: end &- start))
            return
        }
        var s = start
        var e = end
        while s < e && (p[s] == ASCII.space || p[s] == ASCII.tab) { s &+= 1 }
        while e > s && (p[e &- 1] == ASCII.space || p[e &- 1] == ASCII.tab) { e &-= 1 }
        if s == e {
            if column == eventTimeColumn { throw .value("event time field \"\(fields.names[column])\" is empty", column: column, rule: .eventTime) }
            builder.appendNull(column)
            return
        }
        switch type {
        case .int, .timestamp:
            var i = s
            let (v, status) = NumberScan.int64(p, &i, e, allowPlus: true)
            if status == .ok && i == e {
                builder.appendInt(column, v)
            } else if type == .timestamp && status != .overflow,
                let ms = Timestamps.parse(UnsafeBufferPointer(start: p + s, count: e &- s))
            {
                builder.appendInt(column, ms)
            } else {
                throw mismatch(column, p, s, e, overflow: status == .overflow && i == e)
            }
        case .float:
            var i = s
            if let v = NumberScan.double(p, &i, e, lenient: true), i == e {
                builder.appendFloat(column, v)
            } else if let v = Self.special(UnsafeBufferPointer(start: p + s, count: e &- s)) {
                builder.appendFloat(column, v)
            } else {
                throw mismatch(column, p, s, e, overflow: false)
            }
        case .bool:
            let text = UnsafeBufferPointer(start: p + s, count: e &- s)
            if Self.equalsIgnoringCase(text, "true") {
                builder.appendBool(column, true)
            } else if Self.equalsIgnoringCase(text, "false") {
                builder.appendBool(column, false)
            } else {
                throw mismatch(column, p, s, e, overflow: false)
            }
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
