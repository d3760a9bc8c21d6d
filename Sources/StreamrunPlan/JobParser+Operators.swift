import StreamrunCore

extension JobReader {
    mutating func operatorSpec(_ v: JSONValue, _ path: String) -> OperatorSpec? {
        guard let o = object(v, path) else { return nil }
        let id = self.id(o, path)
        let kind = enumValue(o, "type", path, as: OperatorSpec.Kind.self, required: true)
        let inputs = stringArray(o, "inputs", path, nonEmpty: true, required: true)
        guard let kind else {
            if let id { dropped.insert(id) }
            return nil
        }
        let kindName = JobParser.operatorKinds.first { $0.type == kind.rawValue }!.kind
        checkKeys(o, path, kind: kindName, family: JobParser.operatorKinds, noun: "operator")
        var op = OperatorSpec(id: id ?? "", kind: kind, inputs: inputs ?? [], jsonPath: path)
        op.parallelism = int(o, "parallelism", path, in: JobLimits.parallelism)
        var schemaKnown = true
        switch kind {
        case .filter:
            op.whereExpr = string(o, "where", path, required: true)
        case .map:
            schemaKnown = readMap(o, path, into: &op)
            (op.onError, op.deadLetter) = onErrorAndDeadLetter(o, path)
        case .window:
            schemaKnown = readWindow(o, path, into: &op)
        case .dedupe:
            op.keyBy = stringArray(o, "keyBy", path, nonEmpty: true, required: true) ?? []
            op.withinMs = duration(o, "within", path, positive: true, required: true)
            op.stateTtlMs = duration(o, "stateTtl", path, positive: true)
        }
        guard let id else { return nil }
        if !schemaKnown { tainted.insert(id) }
        return op
    }

    /// Reads `set`, `drop` and `select`; false when the output schema cannot be known.
    private mutating func readMap(_ o: JSONObject, _ path: String, into op: inout OperatorSpec) -> Bool {
        var ok = true
        if let v = o["set"] {
            let p = Self.join(path, "set")
            if let set = object(v, p) {
                for m in set.members {
                    if m.key.isEmpty {
                        issue(p, "a field name must not be empty")
                        ok = false
                    } else if let e = m.value.string, !e.isEmpty {
                        op.set.append((m.key, e))
                    } else {
                        issue(Self.join(p, m.key), "expected an expression string, got \(m.value.brief)")
                        ok = false
                    }
                }
            } else {
                ok = false
            }
        }
        if o["drop"] != nil {
            if let d = stringArray(o, "drop", path, nonEmpty: false) { op.drop = d } else { ok = false }
        }
        if o["select"] != nil {
            if let s = stringArray(o, "select", path, nonEmpty: true) { op.select = s } else { ok = false }
        }
        if o["set"] == nil && o["drop"] == nil && o["select"] == nil {
            issue(path, "a map needs \"set\", \"drop\" or \"select\"")
        }
        return ok
    }

    private mutating func readWindow(_ o: JSONObject, _ path: String, into op: inout OperatorSpec) -> Bool {
        var ok = true
        if o["keyBy"] != nil {
            if let k = stringArray(o, "keyBy", path, nonEmpty: false) { op.keyBy = k } else { ok = false }
        }
        if let v = required(o, "window", path) { op.window = window(v, Self.join(path, "window")) }
        if let v = o["aggregates"] {
            let p = Self.join(path, "aggregates")
            if let a = object(v, p) {
                for m in a.members {
                    if let agg = aggregate(name: m.key, m.value, Self.join(p, m.key)) { op.aggregates.append(agg) } else { ok = false }
                }
            } else {
                ok = false
            }
        }
        op.allowedLatenessMs = duration(o, "allowedLateness", path) ?? 0
        op.stateTtlMs = duration(o, "stateTtl", path, positive: true)
        return ok
    }

    enum WindowType: String, CaseIterable {
        case tumbling, sliding, session
    }

    mutating func window(_ v: JSONValue, _ path: String) -> WindowSpec? {
        guard let o = object(v, path), let type = enumValue(o, "type", path, as: WindowType.self, required: true) else {
            return nil
        }
        let kind = JobParser.windowKinds.first { $0.type == type.rawValue }!.kind
        checkKeys(o, path, kind: kind, family: JobParser.windowKinds, noun: "window")
        switch type {
        case .tumbling:
            guard let size = duration(o, "size", path, positive: true, required: true) else { return nil }
            return .tumbling(sizeMs: size)
        case .sliding:
            let size = duration(o, "size", path, positive: true, required: true)
            let slide = duration(o, "slide", path, positive: true, required: true)
            guard let size, let slide else { return nil }
            if slide > size {
                issue(Self.join(path, "slide"), "the slide (\(Durations.format(slide))) must not be larger than the size (\(Durations.format(size)))")
                return nil
            }
            let perRecord = (size + slide - 1) / slide
            if perRecord > JobLimits.windowsPerRecord {
                issue(Self.join(path, "slide"), "a record would belong to \(perRecord) windows (size \(Durations.format(size)) / "
                    + "slide \(Durations.format(slide))); at most \(JobLimits.windowsPerRecord) are allowed: make the slide larger")
                return nil
            }
            return .sliding(sizeMs: size, slideMs: slide)
        case .session:
            guard let gap = duration(o, "gap", path, positive: true, required: true) else { return nil }
            return .session(gapMs: gap)
        }
    }

    /// One `aggregates` entry: `"total": "sum(price)"`.
    mutating func aggregate(name: String, _ v: JSONValue, _ path: String) -> AggregateSpec? {
        guard !name.isEmpty else {
            issue(path, "an aggregate name must not be empty")
            return nil
        }
        guard let text = v.string, let (fn, arg) = Self.parseCall(text) else {
            issue(path, "expected a call like sum(price), got \(v.brief)")
            return nil
        }
        let names = AggregateSpec.Function.allCases.map(\.rawValue)
        guard let function = AggregateSpec.Function(rawValue: fn) else {
            issue(path, Suggestions.unknown("aggregate", fn, among: names)
                + "; expected one of \(Self.orList(names.map { $0 + "()" }, quoted: false, word: "or"))")
            return nil
        }
        switch (function, arg) {
        case (.count, nil), (.count, "*"):
            return AggregateSpec(name: name, function: .count, argument: nil)
        case (.count, _):
            issue(path, "count() takes no argument; to count distinct values use count_distinct(x)")
            return nil
        case (_, nil):
            issue(path, "\(fn) needs an argument, like \(fn)(price)")
            return nil
        case (_, let a?):
            return AggregateSpec(name: name, function: function, argument: a)
        }
    }

    /// Splits `name(argument)` into its name and argument text (nil when empty). Nil when the text is
    /// not one call: `sum price`, `sum(a) + 1`, `sum(a) + max(b)`.
    static func parseCall(_ text: String) -> (String, String?)? {
        let t = text.trimmingJobSpace(" \t\n")
        let name = t.prefix { $0.isASCII && ($0.isLetter || $0 == "_" || $0.isNumber) }
        guard let first = name.first, first.isLetter || first == "_" else { return nil }
        let rest = t.dropFirst(name.count).trimmingJobSpace(" \t")
        guard rest.first == "(", rest.last == ")" else { return nil }
        let inner = rest.dropFirst().dropLast()
        // The opening parenthesis must close at the very end: track depth outside string literals.
        var depth = 0
        var quote: Character?
        var escaped = false
        for c in inner {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "'", "\"": quote = c
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth < 0 { return nil }
            default: break
            }
        }
        guard depth == 0, quote == nil else { return nil }
        let arg = String(inner).trimmingJobSpace(" \t\n")
        return (String(name), arg.isEmpty ? nil : arg)
    }
}

extension StringProtocol {
    fileprivate func trimmingJobSpace(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
