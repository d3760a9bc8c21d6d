#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore
import StreamrunPlan

/// Decodes CSV (RFC 4180): one record per line, fields by position in schema order.
///
/// - Fields are separated by `delimiter`; records end with `\n` or `\r\n`.
/// - A field in double quotes may hold the delimiter, newlines (the record then spans several
///   lines, all counted) and quotes written as `""`. A quote inside an unquoted field is kept as data.
/// - `header`: the first record of each file (see ``beginFile()``) is skipped unread.
/// - Blank lines are skipped (and counted), so a one-column file cannot hold an empty record.
/// - Every record must have exactly `schema.count` fields (`expected 7 fields, got 6`).
/// - Values: a `string` field is taken as is and must be valid UTF-8; an empty field is the empty
///   string (CSV cannot tell a null string from an empty one). For other types, spaces and tabs around
///   the value are ignored and an empty field, quoted or not, is null (an error in the event-time
///   column, `eventTimeColumn`). `int`: optional sign and digits (Int64 range).
///   `float`: a decimal number (`1`, `-2.5`, `1e-3`) or `NaN`, `Infinity`, `-Infinity`.
///   `bool`: `true`/`false` in any case. `timestamp`: integer epoch milliseconds or ISO-8601, or
///   what the field's `format` says.
/// - Constraints (``FieldConstraints``): `nullable: false` refuses an empty field (of a string field
///   too), and the value rules (bounds, enum, lengths, pattern, format) a value that breaks them;
///   `required` changes nothing, as every field is present. A column without constraints costs one
///   test of its flags per value.
public struct CSVDecoder: RecordDecoder {
    public let schema: Schema
    public let delimiter: UInt8
    /// Whether each file starts with a header record to skip.
    public let header: Bool
    /// The column that must hold a value in every record (the source's event time), or -1.
    public let eventTimeColumn: Int
    /// True until the current file's header record has been skipped.
    public private(set) var headerPending: Bool
    let fields: FieldTable
    var scratch: [UInt8] = []

    /// - Parameter constraints: what each field must satisfy beyond its type, aligned with
    ///   `schema.fields` (empty: nothing); see ``FieldConstraints``.
    public init(schema: Schema, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = false, eventTimeColumn: Int? = nil,
                constraints: [FieldConstraints?] = []) {
        precondition(delimiter != ASCII.quote && delimiter != ASCII.newline && delimiter != ASCII.cr,
                     "CSV delimiter must not be a quote or a line break")
        self.schema = schema
        self.delimiter = delimiter
        self.header = header
        self.eventTimeColumn = eventTimeColumn ?? -1
        self.headerPending = header
        self.fields = FieldTable(schema, constraints: constraints)
    }

    public mutating func beginFile() { headerPending = header }

    public mutating func decode(
        _ buffer: UnsafeBufferPointer<UInt8>, atEOF: Bool, maxRows: Int, into builder: inout BatchBuilder
    ) throws(DecodeError) -> DecodeProgress {
        var progress = DecodeProgress()
        guard let p = buffer.baseAddress else { return progress }
        let n = buffer.count
        var pos = 0
        while progress.rows < maxRows && pos < n {
            // Blank lines.
            if p[pos] == ASCII.newline {
                pos &+= 1
                progress.lines &+= 1
                progress.bytes = pos
                continue
            }
            if p[pos] == ASCII.cr && (pos &+ 1 == n || p[pos &+ 1] == ASCII.newline) {
                if pos &+ 1 == n {
                    guard atEOF else { break }
                    pos = n
                } else {
                    pos &+= 2
                    progress.lines &+= 1
                }
                progress.bytes = pos
                continue
            }
            let skip = headerPending
            let record: (next: Int, newlines: Int)?
            do {
                record = try decodeRecord(p, pos, n, atEOF: atEOF, skip: skip, into: &builder)
            } catch {
                builder.discardPartialRow()
                // The bad record's extent; when it is not all in the buffer yet, read more first.
                guard let extent = Self.recordExtent(p, pos, n, atEOF: atEOF, delimiter: delimiter) else { break }
                var e = error.decodeError(lineStart: pos, consumed: progress, names: fields.names)
                e.record = (extent.next &- pos, extent.newlines)
                throw e
            }
            guard let record else {
                builder.discardPartialRow()
                break
            }
            pos = record.next
            progress.bytes = pos
            progress.lines &+= record.newlines
            if skip { headerPending = false } else { progress.rows &+= 1 }
        }
        return progress
    }

    /// Decodes the record at `p[start...]` into one row (none if `skip`). Returns where the next
    /// record starts and the newlines consumed, or nil if the record is not complete in the buffer.
    @inline(__always)
    mutating func decodeRecord(
        _ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, atEOF: Bool, skip: Bool, into builder: inout BatchBuilder
    ) throws(RecordProblem) -> (next: Int, newlines: Int)? {
        let delimiter = self.delimiter
        var i = start
        var field = 0
        var newlines = 0
        while true {
            var contentStart = i
            var contentEnd: Int
            var escaped = false
            var recordEnd = false
            if i < n && p[i] == ASCII.quote {
                contentStart = i &+ 1
                var j = contentStart
                while true {
                    guard let q = memchr(p + j, Int32(ASCII.quote), n &- j) else {
                        guard atEOF else { return nil }
                        throw .value("\(fieldName(field)): unterminated quoted field", column: columnIndex(field), rule: .syntax)
                    }
                    let close = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(q))
                    if close &+ 1 < n && p[close &+ 1] == ASCII.quote {
                        escaped = true
                        j = close &+ 2
                        continue
                    }
                    if close &+ 1 == n && !atEOF { return nil }
                    contentEnd = close
                    i = close &+ 1
                    break
                }
                newlines &+= Self.countNewlines(p, contentStart, contentEnd)
                if i == n {
                    recordEnd = true
                } else if p[i] == delimiter {
                    i &+= 1
                } else if p[i] == ASCII.newline {
                    i &+= 1
                    newlines &+= 1
                    recordEnd = true
                } else if p[i] == ASCII.cr && i &+ 1 < n && p[i &+ 1] == ASCII.newline {
                    i &+= 2
                    newlines &+= 1
                    recordEnd = true
                } else if p[i] == ASCII.cr && i &+ 1 == n {
                    guard atEOF else { return nil }
                    i = n
                    recordEnd = true
                } else {
                    throw .value("\(fieldName(field)): unexpected \(Snippet.character(p[i])) after a closing quote", column: columnIndex(field), rule: .syntax)
                }
            } else {
                let stop = Self.fieldStop(p, i, n, delimiter)
                if stop == n {
                    guard atEOF else { return nil }
                    contentEnd = n
                    i = n
                    recordEnd = true
                } else if p[stop] == delimiter {
                    contentEnd = stop
                    i = stop &+ 1
                } else {
                    contentEnd = stop
                    i = stop &+ 1
                    newlines &+= 1
                    recordEnd = true
                }
                if recordEnd && contentEnd > contentStart && p[contentEnd &- 1] == ASCII.cr { contentEnd &-= 1 }
            }
            if !skip && field < fields.count {
                if escaped {
                    unescape(p, contentStart, contentEnd)
                    try scratch.withUnsafeBufferPointer { (b) throws(RecordProblem) in
                        try store(field, b.baseAddress!, 0, b.count, into: &builder)
                    }
                } else {
                    try store(field, p, contentStart, contentEnd, into: &builder)
                }
            }
            field &+= 1
            if recordEnd { break }
        }
        if !skip {
            if field != fields.count { throw .value("expected \(fields.count) fields, got \(field)", rule: .columns) }
            builder.endRow()
        }
        return (i, newlines)
    }

    /// Index of the first delimiter or newline at or after `i`, or `n`.
    @inline(__always)
    static func fieldStop(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ delimiter: UInt8) -> Int {
        var j = i
        while j &+ 8 <= n {
            let v = SWAR.load(p + j)
            let mask = SWAR.equal(v, delimiter) | SWAR.equal(v, ASCII.newline)
            if mask != 0 { return j &+ SWAR.first(mask) }
            j &+= 8
        }
        while j < n && p[j] != delimiter && p[j] != ASCII.newline { j &+= 1 }
        return j
    }

    static func countNewlines(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var count = 0
        var j = start
        while j < end, let q = memchr(p + j, Int32(ASCII.newline), end &- j) {
            count &+= 1
            j = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(q)) &+ 1
        }
        return count
    }

    /// Copies `p[start..<end]` to `scratch` with every `""` turned into `"`.
    mutating func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        scratch.removeAll(keepingCapacity: true)
        var j = start
        while j < end {
            let c = p[j]
            scratch.append(c)
            j &+= c == ASCII.quote ? 2 : 1
        }
    }

    /// The column of the `field`-th field of a record, or -1 past the schema's fields.
    func columnIndex(_ field: Int) -> Int { field < fields.count ? field : -1 }

    /// Where the record starting at `p[start]` ends (after its line break) and the newlines in it,
    /// by the quoting rules of ``decodeRecord``: nil when it does not end in the buffer and more may come.
    static func recordExtent(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, atEOF: Bool, delimiter: UInt8) -> (next: Int, newlines: Int)? {
        var i = start
        var newlines = 0
        var fieldStart = true
        var quoted = false
        while i < n {
            let c = p[i]
            if quoted {
                if c == ASCII.quote {
                    if i &+ 1 < n && p[i &+ 1] == ASCII.quote {
                        i &+= 2
                        continue
                    }
                    quoted = false
                } else if c == ASCII.newline {
                    newlines &+= 1
                }
            } else if c == ASCII.newline {
                return (i &+ 1, newlines &+ 1)
            } else if c == delimiter {
                fieldStart = true
                i &+= 1
                continue
            } else if c == ASCII.quote && fieldStart {
                quoted = true
            }
            fieldStart = false
            i &+= 1
        }
        return atEOF ? (n, newlines) : nil
    }

    func fieldName(_ field: Int) -> String {
        field < fields.count ? "field \"\(fields.names[field])\"" : "field \(field + 1)"
    }
}
