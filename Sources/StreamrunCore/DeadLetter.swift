/// A record streamrun could not process, with the evidence: where it came from (source, file, byte
/// offset, line, operator), why (field, rule, message) and its original bytes. Sources and
/// operators with `"onError": "dead-letter"` send these, as batches of ``schema``, to their
/// dead-letter sink instead of failing the job.
///
/// Deterministic: nothing in a dead letter depends on the clock or on thread timing, so a dead-letter
/// queue is byte-identical across crashes and reruns.
public struct DeadLetter: Sendable, Hashable {
    /// Which rule a bad record broke. Extensible; the constants are those streamrun reports.
    public struct Rule: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Not a record of the format: broken JSON, a CSV row that does not close its quotes.
        public static let syntax = Rule("syntax")
        /// A CSV row with the wrong number of fields.
        public static let columns = Rule("columns")
        /// A value of the wrong type (`expected int, got "x"`).
        public static let type = Rule("type")
        /// A required field is missing (or null where null is not allowed).
        public static let required = Rule("required")
        public static let min = Rule("min")
        public static let max = Rule("max")
        public static let `enum` = Rule("enum")
        public static let minLength = Rule("minLength")
        public static let maxLength = Rule("maxLength")
        public static let pattern = Rule("pattern")
        /// A timestamp that does not match the field's `format`.
        public static let format = Rule("format")
        /// A string field that is not valid UTF-8.
        public static let utf8 = Rule("utf8")
        /// A record without its event time.
        public static let eventTime = Rule("eventTime")
        /// A record longer than the source's `maxRecordSize`.
        public static let recordSize = Rule("recordSize")
        /// An operator's expression failed on the record (a cast, a division).
        public static let expression = Rule("expression")
    }

    /// The source the record came from ("" — written as null — for an operator reading several).
    public var source: String
    /// The input file, for a file source.
    public var file: String?
    /// The byte offset of the record's first byte in `file`.
    public var offset: Int64?
    /// The 1-based line of the record's first byte in `file`.
    public var line: Int64?
    /// The operator that failed on the record; nil when the source refused it.
    public var operatorID: String?
    /// The field at fault, when one is.
    public var field: String?
    public var rule: Rule
    public var message: String
    /// The record's original bytes (for a record cut at `maxRecordSize`, its first bytes).
    public var raw: [UInt8]
    /// The record's length in bytes when `raw` holds only its first bytes.
    public var rawLength: Int64?

    public init(source: String, file: String? = nil, offset: Int64? = nil, line: Int64? = nil, operatorID: String? = nil,
                field: String? = nil, rule: Rule, message: String, raw: [UInt8], rawLength: Int64? = nil) {
        self.source = source
        self.file = file
        self.offset = offset
        self.line = line
        self.operatorID = operatorID
        self.field = field
        self.rule = rule
        self.message = message
        self.raw = raw
        self.rawLength = rawLength
    }

    /// The schema of dead-letter batches: one column per envelope member, the error flattened
    /// (`error_field`, `error_rule`, `error_message`). `raw` holds the bytes as a string when they
    /// are valid UTF-8, else `raw_base64` holds them base64-encoded. The JSONL sink writes these
    /// columns as the nested envelope (`"error": {"field": …, "rule": …, "message": …}`).
    public static let schema = Schema([
        Field("source", .string), Field("file", .string), Field("offset", .int), Field("line", .int),
        Field("operator", .string), Field("error_field", .string), Field("error_rule", .string),
        Field("error_message", .string), Field("raw", .string), Field("raw_base64", .string), Field("raw_length", .int),
    ])

    /// Whether `schema` is the dead-letter schema (what a sink fed only dead letters receives).
    public static func isSchema(_ schema: Schema) -> Bool { schema == Self.schema }

    /// Dead letters as one batch of ``schema``, in the given order.
    public static func batch(_ letters: [DeadLetter]) -> RecordBatch {
        RecordBatch(schema: schema, rows: letters.map(\.row))
    }

    /// This dead letter as a row of ``schema``.
    public var row: [Value] {
        let text = String(validating: raw, as: UTF8.self)
        return [
            source.isEmpty ? .null : .string(source), file.map(Value.string) ?? .null, offset.map(Value.int) ?? .null, line.map(Value.int) ?? .null,
            operatorID.map(Value.string) ?? .null, field.map(Value.string) ?? .null, .string(rule.name), .string(message),
            text.map(Value.string) ?? .null, text == nil ? .string(Base64.encode(raw)) : .null, rawLength.map(Value.int) ?? .null,
        ]
    }
}

/// Standard base64 (RFC 4648, with padding), for the bytes of dead letters that are not UTF-8.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text`, or nil when it is not base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for c in text.utf8 where c != UInt8(ascii: "=") {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(v))
        }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < values.count {
            let a = UInt32(values[i]), b = UInt32(values[i + 1])
            let c = i + 2 < values.count ? UInt32(values[i + 2]) : 0, d = i + 3 < values.count ? UInt32(values[i + 3]) : 0
            let n = a << 18 | b << 12 | c << 6 | d
            out.append(UInt8(n >> 16 & 255))
            if i + 2 < values.count { out.append(UInt8(n >> 8 & 255)) }
            if i + 3 < values.count { out.append(UInt8(n & 255)) }
            i += 4
        }
        return out
    }
}
