#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore
import StreamrunPlan

/// Decodes JSON Lines: one JSON object per line, keys mapped to schema columns by name.
///
/// - Lines end with `\n` or `\r\n`; lines holding only whitespace are skipped (and counted).
/// - Keys may come in any order. The decoder guesses that they come in the order of the previous
///   line and checks the guess by comparing bytes, so the common case costs no lookup.
/// - Unknown keys are skipped, whatever their value (nested objects and arrays too). A missing key
///   or `null` gives null, except in the event-time column (`eventTimeColumn`), where either is an
///   error. A key that appears twice is an error.
/// - `int`: JSON integers only (`1.5`, `1e3` and values outside Int64 are errors).
///   `float`: any JSON number, correctly rounded. `string`: a JSON string (a number or a bool is an
///   error); escapes are decoded, lone surrogates become U+FFFD, and the result must be valid
///   UTF-8 (checked only when a byte is ≥ 0x80, so ASCII costs nothing).
///   `bool`: `true`/`false`. `timestamp`: an integer (epoch milliseconds) or an ISO-8601 string
///   (see `Timestamps.parse`), or what the field's `format` says.
/// - Constraints (``FieldConstraints``): `required` refuses a missing key, `nullable: false` a
///   missing key or `null`, and the value rules (bounds, enum, lengths, pattern, format) a present
///   value that breaks them. A column without constraints costs one test of its flags per value.
/// - The whole line must be valid JSON: trailing data after the object is an error.
public struct JSONLDecoder: RecordDecoder {
    public let schema: Schema
    /// The column that must hold a value in every record (the source's event time), or -1.
    public let eventTimeColumn: Int
    let fields: FieldTable
    /// The column that the k-th key of the previous line named (-1: unknown key).
    var keyOrder: [Int] = []
    /// Decoded bytes of strings with escapes.
    var scratch: [UInt8] = []
    /// Columns past 63 seen in the current line are marked with `stamp` (the first 64 use a bit mask).
    var stamps: [UInt32]
    var stamp: UInt32 = 0

    /// - Parameter constraints: what each field must satisfy beyond its type, aligned with
    ///   `schema.fields` (empty: nothing); see ``FieldConstraints``.
    public init(schema: Schema, eventTimeColumn: Int? = nil, constraints: [FieldConstraints?] = []) {
        self.schema = schema
        self.eventTimeColumn = eventTimeColumn ?? -1
        self.fields = FieldTable(schema, constraints: constraints)
        self.stamps = Array(repeating: 0, count: max(schema.count - 64, 0))
    }

    public mutating func beginFile() {}

    public mutating func decode(
        _ buffer: UnsafeBufferPointer<UInt8>, atEOF: Bool, maxRows: Int, into builder: inout BatchBuilder
    ) throws(DecodeError) -> DecodeProgress {
        var progress = DecodeProgress()
        guard let p = buffer.baseAddress else { return progress }
        let n = buffer.count
        var pos = 0
        while progress.rows < maxRows && pos < n {
            let lineEnd: Int
            let hasNewline: Bool
            if let q = memchr(p + pos, Int32(ASCII.newline), n &- pos) {
                lineEnd = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(q))
                hasNewline = true
            } else if atEOF {
                lineEnd = n
                hasNewline = false
            } else {
                break
            }
            var end = lineEnd
            if end > pos && p[end &- 1] == ASCII.cr { end &-= 1 }
            let isRow: Bool
            do {
                isRow = try decodeLine(p, pos, end, into: &builder)
            } catch {
                builder.discardPartialRow()
                var e = error.decodeError(lineStart: pos, consumed: progress, names: fields.names)
                e.record = hasNewline ? (lineEnd &+ 1 &- pos, 1) : (lineEnd &- pos, 0)
                throw e
            }
            pos = hasNewline ? lineEnd &+ 1 : lineEnd
            progress.bytes = pos
            if hasNewline { progress.lines &+= 1 }
            if isRow { progress.rows &+= 1 }
        }
        return progress
    }

    /// Decodes the object in `p[start..<end]` into one row; false for a blank line.
    @inline(__always)
    mutating func decodeLine(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into builder: inout BatchBuilder
    ) throws(RecordProblem) -> Bool {
        var i = start
        JSONScan.skipWhitespace(p, &i, end)
        if i == end { return false }
        guard p[i] == ASCII.lbrace else {
            throw .value("expected a JSON object, got \(Snippet.character(p[i]))", at: i, rule: .syntax)
        }
        i &+= 1
        var seenLow: UInt64 = 0
        var seenCount = 0
        if fields.count > 64 { nextStamp() }
        JSONScan.skipWhitespace(p, &i, end)
        if i < end && p[i] == ASCII.rbrace {
            i &+= 1
        } else {
            var k = 0
            while true {
                guard i < end && p[i] == ASCII.quote else { throw .syntax(i, "expected a field name") }
                i &+= 1
                var column = -1
                if k < keyOrder.count {
                    let guess = keyOrder[k]
                    if guess >= 0 && fields.matchesKey(guess, p, i, end) {
                        column = guess
                        i &+= fields.nameLength[guess] &+ 1
                    }
                }
                if column < 0 { column = try lookUpKey(p, &i, end, ordinal: k) }
                JSONScan.skipWhitespace(p, &i, end)
                guard i < end && p[i] == ASCII.colon else { throw .syntax(i, "expected ':'") }
                i &+= 1
                JSONScan.skipWhitespace(p, &i, end)
                if column >= 0 {
                    if column < 64 {
                        let bit: UInt64 = 1 &<< UInt64(column)
                        if seenLow & bit != 0 { throw duplicate(column, at: i) }
                        seenLow |= bit
                    } else {
                        if stamps[column &- 64] == stamp { throw duplicate(column, at: i) }
                        stamps[column &- 64] = stamp
                    }
                    seenCount &+= 1
                    try decodeValue(column, p, &i, end, into: &builder)
                } else {
                    try JSONScan.skipValue(p, &i, end)
                }
                JSONScan.skipWhitespace(p, &i, end)
                guard i < end else { throw .syntax(i, "expected ',' or '}'") }
                let c = p[i]
                i &+= 1
                if c == ASCII.rbrace { break }
                guard c == ASCII.comma else { throw .syntax(i &- 1, "expected ',' or '}'") }
                JSONScan.skipWhitespace(p, &i, end)
                k &+= 1
            }
        }
        JSONScan.skipWhitespace(p, &i, end)
        if i != end { throw .syntax(i, "unexpected data after the object") }
        if seenCount != fields.count {
            for c in 0..<fields.count {
                let seen = c < 64 ? seenLow & (1 &<< UInt64(c)) != 0 : stamps[c &- 64] == stamp
                if !seen {
                    if c == eventTimeColumn { throw .value("event time field \"\(fields.names[c])\" is missing", column: c, rule: .eventTime) }
                    if fields.flags[c] & FieldFlags.refusesMissing != 0 { throw fields.checks.missing(c) }
                    builder.appendNull(c)
                }
            }
        }
        builder.endRow()
        return true
    }

    mutating func nextStamp() {
        if stamp == UInt32.max {
            stamp = 0
            for c in stamps.indices { stamps[c] = 0 }
        }
        stamp &+= 1
    }

    func duplicate(_ column: Int, at position: Int) -> RecordProblem {
        .value("field \"\(fields.names[column])\" appears twice", at: position, column: column, rule: .syntax)
    }

    /// Reads a key whose opening quote is at `i - 1` and finds its column (-1 if unknown), then
    /// remembers it as the guess for the `ordinal`-th key of the next line.
    @inline(never)
    mutating func lookUpKey(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, ordinal: Int) throws(RecordProblem) -> Int {
        let start = i
        let stop = JSONScan.stringStop(p, i, end)
        let column: Int
        if stop < end && p[stop] == ASCII.quote {
            column = fields.column(named: UnsafeBufferPointer(start: p + start, count: stop &- start))
            i = stop &+ 1
        } else {
            scratch.removeAll(keepingCapacity: true)
            try JSONScan.decodeString(p, &i, end, into: &scratch)
            column = scratch.withUnsafeBufferPointer { fields.column(named: $0) }
        }
        if ordinal < keyOrder.count {
            keyOrder[ordinal] = column
        } else if ordinal == keyOrder.count {
            keyOrder.append(column)
        }
        return column
    }
}
