
/// A JSON value whose object members keep the order they were given in: what the inspection
/// commands print (`streamrun state dump`, `streamrun checkpoints show --json`).
///
/// Numbers print as JSONL sinks print them: integers in decimal, floats with ``FloatFormat``, and
/// NaN or ±Infinity (which JSON cannot hold) as `null`. Strings escape `"`, `\` and control characters.
public enum OrderedJSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    /// A field value: timestamps as epoch milliseconds, like the JSONL sink writes them.
    public init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .int(let v), .timestamp(let v): self = .int(v)
        case .float(let v): self = .float(v)
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        }
    }

    /// One line, no spaces: `{"keyGroup":12,"key":{"auction":1007}}`.
    public var compact: String {
        var out = ""
        write(to: &out, indent: nil)
        return out
    }

    /// Indented by two spaces per level, one member per line (arrays of scalars on one line).
    public var pretty: String {
        var out = ""
        write(to: &out, indent: "")
        return out
    }

    private func write(to out: inout String, indent: String?) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let v): out += String(v)
        case .float(let v): out += v.isFinite ? FloatFormat.string(v) : "null"
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            // Arrays of numbers, strings and the like stay on one line, also when indented.
            if indent != nil && items.allSatisfy(\.isScalar) {
                out += "[" + items.map(\.compact).joined(separator: ", ") + "]"
            } else {
                writeList(items.map { (nil, $0) }, open: "[", close: "]", to: &out, indent: indent)
            }
        case .object(let members):
            writeList(members.map { ($0.0, $0.1) }, open: "{", close: "}", to: &out, indent: indent)
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func writeList(_ items: [(String?, OrderedJSON)], open: String, close: String, to out: inout String, indent: String?) {
        out += open
        guard !items.isEmpty else {
            out += close
            return
        }
        let inner = indent.map { $0 + "  " }
        for (i, (name, value)) in items.enumerated() {
            if i > 0 { out += "," }
            if let inner { out += "\n" + inner }
            if let name {
                Self.writeString(name, to: &out)
                out += indent == nil ? ":" : ": "
            }
            value.write(to: &out, indent: inner)
        }
        if let indent { out += "\n" + indent }
        out += close
    }

    /// Appends `s` as a JSON string literal (quotes, backslashes and control characters escaped).
    public static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(c)
            }
        }
        out += "\""
    }
}
