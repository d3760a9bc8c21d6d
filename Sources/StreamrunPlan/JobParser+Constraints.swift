import StreamrunCore

extension JobReader {
    /// The object form of a schema entry, `{"type": "int", "min": 0, …}`: the field's type and its
    /// constraints (nil when it declares none). Nil when `type` is missing or wrong. A constraint
    /// that does not fit the type is reported and left out, so the schema itself stays usable.
    mutating func constrainedField(_ o: JSONObject, _ path: String) -> (type: FieldType, constraints: FieldConstraints?)? {
        checkKeys(o, path, kind: "fieldConstraints")
        guard let v = required(o, "type", path) else { return nil }
        guard let type = fieldType(v, Self.join(path, "type")) else { return nil }
        var c = FieldConstraints()
        c.required = bool(o, "required", path) ?? false
        c.nullable = bool(o, "nullable", path) ?? true
        c.min = bound(o, "min", type, path)
        c.max = bound(o, "max", type, path)
        if let lo = c.min, let hi = c.max, Self.less(hi.value, lo.value) {
            issue(Self.join(path, "min"), "\"min\" (\(lo.text)) is greater than \"max\" (\(hi.text))")
        }
        if let v = o["enum"] { c.allowed = allowed(v, type, Self.join(path, "enum")) }
        if applies(o, "minLength", to: [.string], type, path) { c.minLength = int(o, "minLength", path, in: 0...Int64(Int32.max)) }
        if applies(o, "maxLength", to: [.string], type, path) { c.maxLength = int(o, "maxLength", path, in: 0...Int64(Int32.max)) }
        if let lo = c.minLength, let hi = c.maxLength, lo > hi {
            issue(Self.join(path, "minLength"), "\"minLength\" (\(lo)) is greater than \"maxLength\" (\(hi))")
        }
        if applies(o, "pattern", to: [.string], type, path), let text = string(o, "pattern", path) {
            do {
                c.pattern = try FieldConstraints.Pattern(text)
            } catch {
                issue(Self.join(path, "pattern"), "invalid regular expression \(JSONValue(.string(text)).brief): \(error.message)")
            }
        }
        if applies(o, "format", to: [.timestamp], type, path), let v = o["format"] {
            c.format = timestampFormat(v, Self.join(path, "format"))
        }
        return (type, c.isEmpty ? nil : c)
    }

    /// A field type name; reports anything else with the closest name.
    mutating func fieldType(_ v: JSONValue, _ path: String) -> FieldType? {
        if let s = v.string, let t = FieldType(rawValue: s) { return t }
        let names = FieldType.allCases.map(\.rawValue)
        var message = "expected a type (\(Self.orList(names, quoted: false, word: "or"))), got \(v.brief)"
        if let s = v.string, let c = Suggestions.closest(to: s, among: names) { message += " (did you mean \"\(c)\"?)" }
        issue(path, message)
        return nil
    }

    /// True when `key` is absent or allowed for a field of `type`; reports it otherwise.
    private mutating func applies(_ o: JSONObject, _ key: String, to types: [FieldType], _ type: FieldType, _ path: String) -> Bool {
        guard o[key] != nil else { return false }
        if types.contains(type) { return true }
        let list = Self.orList(types.map(\.rawValue), quoted: false, word: "and")
        issue(Self.join(path, key), "\"\(key)\" applies only to \(list) fields, not to \(Self.article(type)) field")
        return false
    }

    /// `min` or `max`: an integer for int fields, a number for float fields, epoch ms or an ISO-8601
    /// string for timestamp fields.
    private mutating func bound(_ o: JSONObject, _ key: String, _ type: FieldType, _ path: String) -> FieldConstraints.Bound? {
        guard applies(o, key, to: [.int, .float, .timestamp], type, path), let v = o[key] else { return nil }
        guard let value = typedValue(v, type, Self.join(path, key)) else { return nil }
        if case .float(let d) = value, d.isNaN || d.isInfinite {
            issue(Self.join(path, key), "expected a finite number, got \(v.brief)")
            return nil
        }
        return FieldConstraints.Bound(value, text: v.brief)
    }

    /// `enum`: a non-empty array of values of the field's type.
    private mutating func allowed(_ v: JSONValue, _ type: FieldType, _ path: String) -> [Value]? {
        guard let a = v.array else {
            issue(path, "expected an array of allowed values, got \(v.brief)")
            return nil
        }
        if a.isEmpty {
            issue(path, "expected at least one allowed value")
            return nil
        }
        var values: [Value] = []
        for (i, e) in a.enumerated() {
            if let x = typedValue(e, type, Self.index(path, i)) { values.append(x) }
        }
        return values.count == a.count ? values : nil
    }

    /// A JSON value as a value of a field of `type`, or nil after reporting it at `path`.
    private mutating func typedValue(_ v: JSONValue, _ type: FieldType, _ path: String) -> Value? {
        switch type {
        case .int:
            if let n = v.number?.int { return .int(n) }
            issue(path, "expected an integer (the field is int), got \(v.brief)")
        case .float:
            if let n = v.number { return .float(n.double) }
            issue(path, "expected a number (the field is float), got \(v.brief)")
        case .string:
            if let s = v.string { return .string(s) }
            issue(path, "expected a string (the field is string), got \(v.brief)")
        case .bool:
            if let b = v.bool { return .bool(b) }
            issue(path, "expected true or false (the field is bool), got \(v.brief)")
        case .timestamp:
            if let n = v.number?.int { return .timestamp(n) }
            if let s = v.string, let ms = Timestamps.parse(s.utf8) { return .timestamp(ms) }
            issue(path, "expected epoch milliseconds or an ISO-8601 string like \"2024-01-01T00:00:00Z\" (the field is timestamp), got \(v.brief)")
        }
        return nil
    }

    /// `format`: `epochMillis`, `epochSeconds`, `iso8601` or a strftime-like pattern.
    private mutating func timestampFormat(_ v: JSONValue, _ path: String) -> TimestampFormat? {
        let names = TimestampFormat.names
        let expected = "expected " + names.map { "\"\($0)\"" }.joined(separator: ", ") + " or a pattern like \"%Y-%m-%d %H:%M:%S\""
        guard let s = v.string else {
            issue(path, "\(expected), got \(v.brief)")
            return nil
        }
        do {
            if let f = try TimestampFormat(s) { return f }
        } catch {
            issue(path, "invalid timestamp pattern \(v.brief): \(error.message)")
            return nil
        }
        var message = "\(expected), got \(v.brief)"
        if let c = Suggestions.closest(to: s, among: names) { message += " (did you mean \"\(c)\"?)" }
        issue(path, message)
        return nil
    }

    /// `a < b` for two bounds of the same field.
    static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)), (.timestamp(let x), .timestamp(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        default: return false
        }
    }

    /// `an int`, `a string`.
    static func article(_ type: FieldType) -> String {
        type == .int ? "an int" : "a \(type.rawValue)"
    }
}
