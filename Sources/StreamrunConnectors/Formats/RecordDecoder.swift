import StreamrunCore
import StreamrunPlan

/// Turns raw bytes of a record format (JSONL, CSV) into rows of a ``BatchBuilder``.
///
/// A decoder sees a file as a sequence of buffers. Each call decodes the complete records at the
/// start of `buffer` and reports how far it got; the caller keeps the unconsumed tail, appends more
/// bytes after it and calls again. A record is complete when its terminating newline is in the
/// buffer or, when `atEOF` is true, when the buffer ends.
///
/// Decoders keep a little state between calls (a guess of the key order, whether a CSV header is
/// still to be skipped) and are meant to be used for one file at a time: call ``beginFile()`` before
/// the first buffer of each file.
///
/// - Important: If the buffer holds no complete record, `decode` returns zero progress. A caller
///   whose buffer is full must then grow it before reading more, or it will never make progress.
public protocol RecordDecoder: Sendable {
    /// The schema rows are decoded into; `builder.schema` must have the same fields.
    var schema: Schema { get }

    /// Resets per-file state (CSV: the header line is skipped again).
    mutating func beginFile()

    /// Decodes complete records from `buffer`, appending one row per record to `builder`.
    ///
    /// Stops after `maxRows` rows or when no complete record remains. Blank lines are skipped but
    /// counted in ``DecodeProgress/lines``.
    ///
    /// - Important: On error the rows decoded before the bad record stay in `builder` (so do not
    ///   throw them away unknowingly), the bad record leaves no partial row, and
    ///   ``DecodeError/consumed`` tells how far decoding got before the bad record.
    mutating func decode(
        _ buffer: UnsafeBufferPointer<UInt8>, atEOF: Bool, maxRows: Int, into builder: inout BatchBuilder
    ) throws(DecodeError) -> DecodeProgress
}

/// How far one ``RecordDecoder/decode(_:atEOF:maxRows:into:)`` call got.
public struct DecodeProgress: Sendable, Hashable {
    /// Bytes consumed from the start of the buffer (whole records and blank lines only).
    public var bytes: Int
    /// Newlines consumed: blank lines and newlines inside quoted CSV fields included, a final record
    /// without a newline (at EOF) not. Add them up to know the line number of the next record.
    public var lines: Int
    /// Rows appended to the builder.
    public var rows: Int

    public init(bytes: Int = 0, lines: Int = 0, rows: Int = 0) {
        self.bytes = bytes
        self.lines = lines
        self.rows = rows
    }
}

/// A record that cannot be decoded: malformed syntax or a value that does not fit the schema.
///
/// The message says what is wrong (`field "price": expected int, got 1.5`); the caller adds where
/// (`bids.jsonl:17: …`) with ``located(file:linesBefore:)``.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Progress up to the start of the bad record: its rows are in the builder, and
    /// `consumed.bytes` is where the bad record starts in the buffer.
    public var consumed: DecodeProgress
    /// 1-based byte column in the bad record's line where the problem was found, when known.
    public var column: Int?
    /// The field at fault, when one is.
    public var field: String?
    /// The rule the record broke (``DeadLetter/Rule``).
    public var rule: DeadLetter.Rule
    /// The bad record's extent from `consumed.bytes`: its bytes, terminator included, and the
    /// newlines among them. Nil when the decoder could not tell (the caller skips to the next newline).
    public var record: (bytes: Int, lines: Int)? {
        get { recordBytes.map { ($0, recordLines) } }
        set {
            recordBytes = newValue?.bytes
            recordLines = newValue?.lines ?? 0
        }
    }
    var recordBytes: Int?
    var recordLines = 0

    public init(_ message: String, consumed: DecodeProgress, column: Int? = nil, field: String? = nil,
                rule: DeadLetter.Rule = .syntax, record: (bytes: Int, lines: Int)? = nil) {
        self.message = message
        self.consumed = consumed
        self.column = column
        self.field = field
        self.rule = rule
        self.record = record
    }

    /// Newlines in this buffer before the bad record's first line.
    public var line: Int { consumed.lines }

    public var description: String { message }

    /// The error as the engine reports it: `file:line: message`, where `linesBefore` counts the
    /// lines of the file before this buffer.
    public func located(file: String, linesBefore: Int) -> StreamrunError {
        StreamrunError(.malformedRecord, message, location: "\(file):\(linesBefore + line + 1)")
    }
}

/// Builds the decoder for a source's format.
public enum RecordDecoders {
    /// - Parameters:
    ///   - eventTimeField: a field that must not be null or missing in any record (the source's event
    ///     time): such a record is an error with its file and line.
    ///   - constraints: what each field must satisfy beyond its type, aligned with `schema.fields`
    ///     (``SourceSpec/constraints``); a record that breaks one is an error naming the rule.
    public static func make(
        _ format: DataFormat, schema: Schema, csvHeader: Bool = false, csvDelimiter: UInt8 = UInt8(ascii: ","),
        eventTimeField: String? = nil, constraints: [FieldConstraints?] = []
    ) -> any RecordDecoder {
        let time = eventTimeField.flatMap { schema.index(of: $0) }
        switch format {
        case .jsonl: return JSONLDecoder(schema: schema, eventTimeColumn: time, constraints: constraints)
        case .csv:
            return CSVDecoder(schema: schema, delimiter: csvDelimiter, header: csvHeader, eventTimeColumn: time,
                              constraints: constraints)
        }
    }

    /// The decoder for `source`'s format, CSV options, event-time field and field constraints.
    public static func make(for source: SourceSpec) -> any RecordDecoder {
        make(source.format, schema: source.schema, csvHeader: source.csvHeader, csvDelimiter: source.csvDelimiter,
             eventTimeField: source.eventTime?.field, constraints: source.constraints)
    }
}
