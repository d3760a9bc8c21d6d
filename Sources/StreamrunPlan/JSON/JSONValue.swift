/// A parsed JSON value that keeps object key order and where it was written.
///
/// Objects are ordered lists of members, not dictionaries: in job.json the order of `schema`, `set`
/// and `aggregates` decides the order of output columns. `line` and `column` (both 1-based, the
/// column counted in characters) locate the first character of the value for error messages.
public struct JSONValue: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONValue])
        case object(JSONObject)
    }

    public var kind: Kind
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, line: Int = 0, column: Int = 0) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public var string: String? { if case .string(let s) = kind { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = kind { return b } else { return nil } }
    public var number: JSONNumber? { if case .number(let n) = kind { return n } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = kind { return a } else { return nil } }
    public var object: JSONObject? { if case .object(let o) = kind { return o } else { return nil } }
    public var isNull: Bool { kind == .null }

    /// A short rendering for "got …" in messages: `"two"`, `12`, `true`, `null`, `an array`, `an object`.
    public var brief: String {
        switch kind {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.text.count > 40 ? String(n.text.prefix(40)) + "…" : n.text
        case .string(let s):
            let cut = s.count > 40 ? String(s.prefix(40)) + "…" : s
            return "\"" + Self.escapingControls(cut) + "\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSONValue {
    /// `text` with control characters written as JSON escapes (`\n`, `\t`, `\u0000`), so a message
    /// quoting a value stays on one line and shows what is there.
    static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where u.value < 0x20 || u.value == 0x7F:
                let hex = String(u.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// A JSON number: its text, its `Double` value, and its `Int64` value when the number is integral
/// and fits (`2`, `2.0` and `2e0` all have `int == 2`; `2.5` and `1e30` have `int == nil`).
public struct JSONNumber: Sendable, Hashable {
    public var text: String
    public var double: Double
    public var int: Int64?

    public init(text: String, double: Double, int: Int64?) {
        self.text = text
        self.double = double
        self.int = int
    }
}

/// A JSON object: members in the order they were written. Keys are unique (the parser rejects duplicates).
public struct JSONObject: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(_ members: [Member] = []) { self.members = members }

    public var keys: [String] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }

    public subscript(key: String) -> JSONValue? { members.first { $0.key == key }?.value }
}
