/// A single field value, for cold paths: keys, literals, state inspection and tests.
///
/// The hot path never builds `Value`s: it works on typed ``Column`` storage.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case float(Double)
    case string(String)
    case bool(Bool)
    case timestamp(Int64)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let v): return String(v)
        case .float(let v): return FloatFormat.string(v)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .timestamp(let t): return String(t)
        }
    }
}

/// How floats are printed everywhere (sinks, plan output, state dumps): the shortest text that reads
/// back to the same `Double`, with a `.0` on whole numbers, and `NaN`/`Infinity` spelled as Java does.
public enum FloatFormat {
    public static func string(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return v.description
    }
}
