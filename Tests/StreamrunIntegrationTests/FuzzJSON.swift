import Foundation

/// A JSON value that keeps object member order and allows duplicate keys: what the job fuzzer
/// mutates and writes back as job.json text (``JobFuzzTests``).
indirect enum FuzzJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's text, written as is (so `1e400` and 20-digit integers survive).
    case number(String)
    case string(String)
    case array([FuzzJSON])
    case object([Member])

    struct Member: Equatable, Sendable {
        var key: String
        var value: FuzzJSON
    }

    /// One step from a value to a child: a member of an object or an element of an array, by position.
    typealias Path = [Int]

    // MARK: Reading

    /// Parses well-formed JSON (the example jobs); nil on anything else.
    static func parse(_ text: String) -> FuzzJSON? {
        var r = Reader(bytes: Array(text.utf8))
        guard let v = r.value() else { return nil }
        r.skip()
        return r.i == r.bytes.count ? v : nil
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        mutating func skip() { while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 } }

        mutating func value() -> FuzzJSON? {
            skip()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [Member] = []
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
                while true {
                    skip()
                    guard let k = string() else { return nil }
                    skip()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value() else { return nil }
                    members.append(Member(key: k, value: v))
                    skip()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    return nil
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [FuzzJSON] = []
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
                while true {
                    guard let v = value() else { return nil }
                    items.append(v)
                    skip()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map { .string($0) }
            case UInt8(ascii: "t"): return word("true", .bool(true))
            case UInt8(ascii: "f"): return word("false", .bool(false))
            case UInt8(ascii: "n"): return word("null", .null)
            default:
                let start = i
                while i < bytes.count, "-+.eE0123456789".utf8.contains(bytes[i]) { i += 1 }
                return i > start ? .number(String(decoding: bytes[start..<i], as: UTF8.self)) : nil
            }
        }

        mutating func word(_ w: String, _ v: FuzzJSON) -> FuzzJSON? {
            let u = Array(w.utf8)
            guard bytes.count - i >= u.count, Array(bytes[i..<i + u.count]) == u else { return nil }
            i += u.count
            return v
        }

        /// A string without escapes other than `\"`, `\\`, `\/`, `\n`, `\t` (enough for the examples).
        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if b == UInt8(ascii: "\\"), i < bytes.count {
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    default: out.append(e)
                    }
                } else {
                    out.append(b)
                }
            }
            return nil
        }
    }

    // MARK: Writing

    /// Compact JSON text; strings escaped so that any content (NUL, quotes, newlines) stays valid JSON.
    var text: String {
        var out = ""
        write(&out)
        return out
    }

    private func write(_ out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): Self.quote(s, &out)
        case .array(let a):
            out += "["
            for (k, v) in a.enumerated() {
                if k > 0 { out += "," }
                v.write(&out)
            }
            out += "]"
        case .object(let m):
            out += "{"
            for (k, member) in m.enumerated() {
                if k > 0 { out += "," }
                Self.quote(member.key, &out)
                out += ":"
                member.value.write(&out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, _ out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    // MARK: Paths

    /// Every path in the tree, the root (`[]`) first, parents before children.
    var paths: [Path] {
        var out: [Path] = [[]]
        switch self {
        case .array(let a):
            for (k, v) in a.enumerated() { out += v.paths.map { [k] + $0 } }
        case .object(let m):
            for (k, member) in m.enumerated() { out += member.value.paths.map { [k] + $0 } }
        default: break
        }
        return out
    }

    subscript(path: Path) -> FuzzJSON {
        get {
            guard let first = path.first else { return self }
            switch self {
            case .array(let a): return a[first][Array(path.dropFirst())]
            case .object(let m): return m[first].value[Array(path.dropFirst())]
            default: return self
            }
        }
        set {
            guard let first = path.first else {
                self = newValue
                return
            }
            switch self {
            case .array(var a):
                a[first][Array(path.dropFirst())] = newValue
                self = .array(a)
            case .object(var m):
                m[first].value[Array(path.dropFirst())] = newValue
                self = .object(m)
            default: break
            }
        }
    }

    /// The value of `key` in an object (the first member with that key).
    subscript(key: String) -> FuzzJSON? {
        if case .object(let m) = self { return m.first { $0.key == key }?.value }
        return nil
    }
}
