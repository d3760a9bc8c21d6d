import StreamrunCore
import StreamrunPlan

extension JSONLDecoder {
    /// Decodes the value at `p[i]` into `column`, by the column's type.
    @inline(__always)
    mutating func decodeValue(
        _ column: Int, _ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, into builder: inout BatchBuilder
    ) throws(RecordProblem) {
        // A record cut off after its ':' (`{"a":`) has no byte at `i`.
        guard i < end else { throw .syntax(i, "expected a value") }
        let c = p[i]
        // Zero for a column without constraints; tested once per value.
        let flags = fields.flags[column]
        if c == UInt8(ascii: "n") && JSONScan.hasPrefix(p, i, end, "null") {
            if column == eventTimeColumn { throw .value("event time field \"\(fields.names[column])\" is null", at: i, column: column, rule: .eventTime) }
            if flags & FieldFlags.refusesNull != 0 { throw fields.checks.null(column, at: i) }
            builder.appendNull(column)
            i &+= 4
            return
        }
        let start = i
        switch fields.types[column] {
        case .int:
            guard c == ASCII.minus || c &- ASCII.zero <= 9 else { throw try mismatch(column, p, i, end) }
            let v = try integer(column, p, &i, end)
            if flags & FieldFlags.value != 0 && !fields.checks.fits(column, v) { try fields.checks.int(column, v, at: start) }
            builder.appendInt(column, v)
        case .timestamp:
            if flags & FieldFlags.value != 0 && fields.checks.formatKind[column] != FieldChecks.FormatKind.none {
                builder.appendInt(column, try formattedTimestamp(column, p, &i, end))
            } else {
                let v: Int64
                if c == ASCII.quote {
                    v = try isoTimestamp(column, p, &i, end)
                } else {
                    guard c == ASCII.minus || c &- ASCII.zero <= 9 else { throw try mismatch(column, p, i, end) }
                    v = try integer(column, p, &i, end)
                }
                if flags & FieldFlags.value != 0 && !fields.checks.fits(column, v) { try fields.checks.timestamp(column, v, at: start) }
                builder.appendInt(column, v)
            }
        case .float:
            guard c == ASCII.minus || c &- ASCII.zero <= 9 else { throw try mismatch(column, p, i, end) }
            guard let v = NumberScan.double(p, &i, end) else { throw .syntax(start, "invalid number") }
            if flags & FieldFlags.value != 0 && !fields.checks.fits(column, v) { try fields.checks.float(column, v, at: start) }
            builder.appendFloat(column, v)
        case .string:
            guard c == ASCII.quote else { throw try mismatch(column, p, i, end) }
            let first = i &+ 1
            var nonASCII = false
            let stop = JSONScan.stringStop(p, first, end, nonASCII: &nonASCII)
            if stop < end && p[stop] == ASCII.quote {
                if nonASCII, let m = UTF8Check.problem(field: fields.names[column], p, first, stop) { throw .value(m, at: i, column: column, rule: .utf8) }
                let text = UnsafeBufferPointer(start: p + first, count: stop &- first)
                if flags & FieldFlags.value != 0 && !fields.checks.fits(column, text) { try fields.checks.string(column, text, at: start) }
                builder.appendString(column, text)
                i = stop &+ 1
            } else {
                i = first
                scratch.removeAll(keepingCapacity: true)
                try JSONScan.decodeString(p, &i, end, into: &scratch)
                try scratch.withUnsafeBufferPointer { (b) throws(RecordProblem) in
                    if let q = b.baseAddress, !UTF8Check.isASCII(q, 0, b.count),
                       let m = UTF8Check.problem(field: fields.names[column], q, 0, b.count) {
                        throw .value(m, at: start, column: column, rule: .utf8)
                    }
                    if flags & FieldFlags.value != 0 { try fields.checks.string(column, b, at: start) }
                }
                builder.appendString(column, scratch)
            }
        case .bool:
            let v: Bool
            if JSONScan.hasPrefix(p, i, end, "true") {
                v = true
                i &+= 4
            } else if JSONScan.hasPrefix(p, i, end, "false") {
                v = false
                i &+= 5
            } else {
                throw try mismatch(column, p, i, end)
            }
            if flags & FieldFlags.value != 0 { try fields.checks.bool(column, v, at: start) }
            builder.appendBool(column, v)
        }
    }

    /// An integer number at `p[i]` (which is `-` or a digit).
    @inline(__always)
    func integer(_ column: Int, _ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws(RecordProblem) -> Int64 {
        let start = i
        let (v, status) = NumberScan.int64(p, &i, end)
        if status == .ok && (i == end || (p[i] != ASCII.dot && p[i] | 0x20 != ASCII.lowerE)) {
            let digits = p[start] == ASCII.minus ? start &+ 1 : start
            if p[digits] != ASCII.zero || i &- digits == 1 { return v }
        }
        throw try badInteger(column, p, start, end, overflow: status == .overflow)
    }

    @inline(never)
    func badInteger(_ column: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, overflow: Bool) throws(RecordProblem) -> RecordProblem {
        var i = start
        try JSONScan.skipNumber(p, &i, end)
        if overflow {
            let text = Snippet.text(UnsafeBufferPointer(start: p + start, count: i &- start))
            return .value("field \"\(fields.names[column])\": expected \(expected(column)), got \(text) (out of range)", at: start, column: column)
        }
        return try mismatch(column, p, start, end)
    }

    /// An ISO-8601 string at `p[i]` (an opening quote), as epoch milliseconds.
    func isoTimestamp(_ column: Int, _ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws(RecordProblem) -> Int64 {
        let start = i
        i &+= 1
        let stop = JSONScan.stringStop(p, i, end)
        var ms: Int64?
        if stop < end && p[stop] == ASCII.quote {
            ms = Timestamps.parse(UnsafeBufferPointer(start: p + i, count: stop &- i))
            i = stop &+ 1
        } else {
            var text: [UInt8] = []
            try JSONScan.decodeString(p, &i, end, into: &text)
            ms = Timestamps.parse(text)
        }
        guard let ms else { throw try mismatch(column, p, start, end) }
        return ms
    }

    func expected(_ column: Int) -> String {
        switch fields.types[column] {
        case .timestamp: return "timestamp (epoch ms or ISO-8601 string)"
        case let type: return type.rawValue
        }
    }

    /// The error for a valid JSON value at `p[start]` that does not fit `column` (or the syntax
    /// error, if the value is not valid JSON).
    @inline(never)
    func mismatch(_ column: Int, _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(RecordProblem) -> RecordProblem {
        var i = start
        try JSONScan.skipValue(p, &i, end)
        let got: String
        switch p[start] {
        case ASCII.lbrace: got = "an object"
        case ASCII.lbracket: got = "an array"
        default: got = Snippet.text(UnsafeBufferPointer(start: p + start, count: i &- start))
        }
        return .value("field \"\(fields.names[column])\": expected \(expected(column)), got \(got)", at: start, column: column)
    }
}
