import StreamrunCore

/// Walks a job.json tree, reading typed values and collecting every problem with its JSON path.
///
/// Each getter returns nil (and records an issue) when a key is present but wrong, and nil without an
/// issue when an optional key is absent, so callers fall back to the default and keep going.
struct JobReader {
    var issues: [JobIssue] = []
    /// Ids of nodes whose output schema is unknown because of an earlier problem; validation skips
    /// checks that depend on it so one mistake is reported once.
    var tainted: Set<String> = []
    /// Sinks named by a node's `deadLetter` or a sink's `fallback` (they need no `inputs`).
    var deadLetterTargets: Set<String> = []
    /// Ids of nodes that were declared but could not be parsed at all (e.g. an unknown `type`).
    var dropped: Set<String> = []

    mutating func issue(_ path: String, _ message: String) { issues.append(.shortened(path, message)) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
    static func index(_ path: String, _ i: Int) -> String { path + "[\(i)]" }

    // MARK: Objects and keys

    mutating func object(_ v: JSONValue, _ path: String) -> JSONObject? {
        if let o = v.object { return o }
        issue(path, "expected an object, got \(v.brief)")
        return nil
    }

    /// Reports keys not in `JobParser.acceptedKeys[kind]`. When a key belongs to a sibling kind
    /// (another type in `family`), says which type it applies to instead of guessing a spelling.
    mutating func checkKeys(_ o: JSONObject, _ path: String, kind: String, family: [(type: String, kind: String)] = [],
                            noun: String = "", ignoring: Set<String> = []) {
        let accepted = JobParser.acceptedKeys[kind] ?? []
        for key in o.keys where !accepted.contains(key) && !key.hasPrefix("_") && !ignoring.contains(key) {
            let owners = family.filter { $0.kind != kind && JobParser.acceptedKeys[$0.kind]?.contains(key) == true }
            if !owners.isEmpty, let mine = family.first(where: { $0.kind == kind }) {
                let list = Self.orList(owners.map(\.type), quoted: false, word: "and")
                issue(Self.join(path, key), "\"\(key)\" applies to \(list) \(noun)s, not \(mine.type) \(noun)s")
            } else {
                issue(Self.join(path, key), Suggestions.unknown("key", key, among: accepted.sorted()))
            }
        }
    }

    /// The value of `key`, or nil after reporting it missing: at the object's path, or at the key's
    /// name for a top-level key (`sinks: missing required key "sinks"`).
    mutating func required(_ o: JSONObject, _ key: String, _ path: String) -> JSONValue? {
        if let v = o[key] { return v }
        issue(path.isEmpty ? key : path, "missing required key \"\(key)\"")
        return nil
    }

    // MARK: Scalars

    mutating func string(_ o: JSONObject, _ key: String, _ path: String, required: Bool = false) -> String? {
        guard let v = required ? self.required(o, key, path) : o[key] else { return nil }
        let p = Self.join(path, key)
        guard let s = v.string else {
            issue(p, "expected a string, got \(v.brief)")
            return nil
        }
        if s.isEmpty {
            issue(p, "expected a non-empty string, got \"\"")
            return nil
        }
        return s
    }

    /// An integer from `min` to `max` (the message names both when there is a `max`).
    mutating func int(_ o: JSONObject, _ key: String, _ path: String, min: Int64, max: Int64 = .max,
                      required: Bool = false) -> Int64? {
        guard let v = required ? self.required(o, key, path) : o[key] else { return nil }
        if let n = v.number?.int, n >= min, n <= max { return n }
        let range = max == .max ? "≥ \(min)" : "from \(min) to \(max)"
        issue(Self.join(path, key), "expected an integer \(range), got \(v.brief)")
        return nil
    }

    /// An integer in `range`, as an `Int`.
    mutating func int(_ o: JSONObject, _ key: String, _ path: String, in range: ClosedRange<Int64>,
                      required: Bool = false) -> Int? {
        int(o, key, path, min: range.lowerBound, max: range.upperBound, required: required).flatMap { Int(exactly: $0) }
    }

    /// A number in `range`.
    mutating func number(_ o: JSONObject, _ key: String, _ path: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = o[key] else { return nil }
        if let d = v.number?.double, range.contains(d) { return d }
        issue(Self.join(path, key), "expected a number from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound)), got \(v.brief)")
        return nil
    }

    /// `0.001`, `1000000000`: a bound as a person writes it.
    static func plain(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    mutating func bool(_ o: JSONObject, _ key: String, _ path: String) -> Bool? {
        guard let v = o[key] else { return nil }
        if let b = v.bool { return b }
        issue(Self.join(path, key), "expected true or false, got \(v.brief)")
        return nil
    }

    /// A duration string (`"250ms"`, `"10s"`, `"1m30s"`, `"0"`; see ``Durations``) in milliseconds,
    /// at most ``JobLimits/maxDurationMs``.
    mutating func duration(_ o: JSONObject, _ key: String, _ path: String, positive: Bool = false,
                           required: Bool = false) -> Int64? {
        guard let v = required ? self.required(o, key, path) : o[key] else { return nil }
        let p = Self.join(path, key)
        guard let s = v.string, let ms = Durations.parse(s) else {
            var message = "expected a duration like \"10s\", got \(v.brief)"
            if let s = v.string, let hint = Durations.hint(s) { message += " (\(hint))" }
            issue(p, message)
            return nil
        }
        if positive && ms == 0 {
            issue(p, "expected a duration greater than 0, got \(v.brief)")
            return nil
        }
        if ms > JobLimits.maxDurationMs {
            issue(p, "expected a duration of at most \(Durations.format(JobLimits.maxDurationMs)), got \(v.brief)")
            return nil
        }
        return ms
    }

    /// A file or directory path: a non-empty string without a NUL character (which no file name can
    /// hold, and which the C library would silently cut the path at).
    mutating func path(_ o: JSONObject, _ key: String, _ path: String, required: Bool = false) -> String? {
        guard let s = string(o, key, path, required: required) else { return nil }
        if s.utf8.contains(0) {
            issue(Self.join(path, key), "a path must not contain a NUL character (\\u0000), got \(JSONValue(.string(s)).brief)")
            return nil
        }
        return s
    }

    /// A byte size in ``JobLimits/byteSize``: an integer, or a string like `"64KB"`, `"16MB"`, `"1GB"`
    /// (binary units).
    mutating func byteSize(_ o: JSONObject, _ key: String, _ path: String) -> Int? {
        guard let v = o[key] else { return nil }
        var size: Int?
        if let n = v.number?.int, n > 0 { size = Int(exactly: n) }
        if let s = v.string, let n = Self.parseByteSize(s), n > 0 { size = n }
        guard let size else {
            issue(Self.join(path, key), "expected a size like \"16MB\" or a number of bytes, got \(v.brief)")
            return nil
        }
        guard JobLimits.byteSize.contains(size) else {
            issue(Self.join(path, key), "expected a size from 1KB to 1TB, got \(v.brief)")
            return nil
        }
        return size
    }

    static func parseByteSize(_ text: String) -> Int? {
        let units: [String: Int] = ["": 1, "b": 1, "kb": 1 << 10, "kib": 1 << 10, "mb": 1 << 20, "mib": 1 << 20,
                                    "gb": 1 << 30, "gib": 1 << 30]
        let t = text.filter { $0 != " " }
        let digits = t.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let n = Int(digits), let mult = units[t.dropFirst(digits.count).lowercased()] else {
            return nil
        }
        let (r, overflow) = n.multipliedReportingOverflow(by: mult)
        return overflow ? nil : r
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ o: JSONObject, _ key: String, _ path: String,
                                                                 as: E.Type, required: Bool = false) -> E?
    where E.RawValue == String {
        guard let v = required ? self.required(o, key, path) : o[key] else { return nil }
        let names = E.allCases.map(\.rawValue)
        if let s = v.string, let e = E(rawValue: s) { return e }
        var message = "expected \(Self.orList(names, quoted: true, word: "or")), got \(v.brief)"
        if let s = v.string, let c = Suggestions.closest(to: s, among: names) { message += " (did you mean \"\(c)\"?)" }
        issue(Self.join(path, key), message)
        return nil
    }

    // MARK: Arrays

    /// An array of non-empty strings; reports every bad element. Nil when the value is not an array.
    mutating func stringArray(_ o: JSONObject, _ key: String, _ path: String, nonEmpty: Bool,
                              required: Bool = false) -> [String]? {
        guard let v = required ? self.required(o, key, path) : o[key] else { return nil }
        let p = Self.join(path, key)
        guard let a = v.array else {
            issue(p, "expected an array of strings, got \(v.brief)")
            return nil
        }
        if nonEmpty && a.isEmpty {
            issue(p, "expected at least one entry")
            return nil
        }
        var out: [String] = []
        var ok = true
        for (i, e) in a.enumerated() {
            if let s = e.string, !s.isEmpty {
                out.append(s)
            } else {
                issue(Self.index(p, i), "expected a non-empty string, got \(e.brief)")
                ok = false
            }
        }
        return ok ? out : nil
    }

    // MARK: Text helpers

    /// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
    static func orList(_ items: [String], quoted: Bool, word: String) -> String {
        let q = quoted ? items.map { "\"\($0)\"" } : items
        guard q.count > 1 else { return q.first ?? "" }
        return q.dropLast().joined(separator: ", ") + " \(word) " + q.last!
    }
}
