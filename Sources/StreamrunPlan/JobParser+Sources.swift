import StreamrunCore

extension JobReader {
    mutating func source(_ v: JSONValue, _ path: String) -> SourceSpec? {
        guard let o = object(v, path) else { return nil }
        let id = self.id(o, path)
        guard let kind = enumValue(o, "type", path, as: SourceSpec.Kind.self, required: true) else {
            if let id { dropped.insert(id) }
            return nil
        }
        var s = SourceSpec(id: id ?? "", kind: kind, jsonPath: path)
        s.parallelism = int(o, "parallelism", path, in: JobLimits.parallelism)
        s.maxRecordsPerSecond = number(o, "maxRecordsPerSecond", path, in: JobLimits.recordsPerSecond)
        if let e = o["eventTime"] { s.eventTime = eventTime(e, Self.join(path, "eventTime")) }
        readErrorHandling(o, path, into: &s)
        s.retry = retry(o, path)
        s.optional = bool(o, "optional", path) ?? false
        switch kind {
        case .file: readFileSource(o, path, into: &s)
        case .generator: readGenerator(o, path, into: &s)
        }
        guard let id else { return nil }
        if s.schema.count == 0 { tainted.insert(id) }
        return s
    }

    private mutating func readFileSource(_ o: JSONObject, _ path: String, into s: inout SourceSpec) {
        checkKeys(o, path, kind: "fileSource", family: JobParser.sourceKinds, noun: "source")
        s.path = self.path(o, "path", path, required: true)
        s.format = enumValue(o, "format", path, as: DataFormat.self) ?? .jsonl
        if let v = required(o, "schema", path), let (schema, constraints) = schema(v, Self.join(path, "schema")) {
            s.schema = schema
            s.constraints = constraints
        }
        s.follow = bool(o, "follow", path) ?? false
        s.csvHeader = bool(o, "header", path) ?? false
        if let d = o["delimiter"] {
            let p = Self.join(path, "delimiter")
            if let str = d.string, str.utf8.count == 1, let b = str.utf8.first, b != 0x0A, b != 0x0D, b != 0x22 {
                s.csvDelimiter = b
            } else {
                issue(p, "expected one character like \",\" or \"\\t\", got \(d.brief)")
            }
        }
        if s.format != .csv {
            for key in ["header", "delimiter"] where o[key] != nil {
                issue(Self.join(path, key), "\"\(key)\" applies only to \"format\": \"csv\"")
            }
        }
        s.splitBytes = byteSize(o, "splitSize", path) ?? s.splitBytes
        s.fallback = string(o, "fallback", path)
    }

    private mutating func readGenerator(_ o: JSONObject, _ path: String, into s: inout SourceSpec) {
        checkKeys(o, path, kind: "generatorSource", family: JobParser.sourceKinds, noun: "source", ignoring: ["schema"])
        if o["schema"] != nil {
            let names = SourceSpec.nexmarkBidSchema.names.joined(separator: ", ")
            issue(Self.join(path, "schema"),
                  "a generator source has a fixed schema (the Nexmark bid stream: \(names)); remove \"schema\"")
        }
        s.schema = SourceSpec.nexmarkBidSchema
        s.seed = int(o, "seed", path, min: 0).map { UInt64($0) } ?? 0
        s.count = int(o, "count", path, min: 0)
        s.splits = int(o, "splits", path, in: JobLimits.generatorSplits) ?? 8
    }

    /// `onError`, `deadLetter`, `maxErrorRate`, `maxRecordSize`.
    private mutating func readErrorHandling(_ o: JSONObject, _ path: String, into s: inout SourceSpec) {
        let (onError, deadLetter) = onErrorAndDeadLetter(o, path)
        s.onError = onError ?? .fail
        s.deadLetter = deadLetter
        if let v = o["maxErrorRate"] { s.maxErrorRate = errorRate(v, Self.join(path, "maxErrorRate")) }
        if let size = byteSize(o, "maxRecordSize", path) {
            if size > JobLimits.maxRecordSize {
                issue(Self.join(path, "maxRecordSize"), "expected at most \(JobLimits.maxRecordSize >> 20) MiB, got \(size) B")
            } else {
                s.maxRecordSize = size
            }
        }
    }

    /// `onError` and `deadLetter` of a source or map: each needs the other for dead letters.
    mutating func onErrorAndDeadLetter(_ o: JSONObject, _ path: String) -> (OnError?, String?) {
        let onError = enumValue(o, "onError", path, as: OnError.self)
        let deadLetter = string(o, "deadLetter", path)
        if let d = deadLetter { deadLetterTargets.insert(d) }
        if onError == .deadLetter && deadLetter == nil {
            issue(Self.join(path, "deadLetter"), "missing: \"onError\": \"dead-letter\" needs \"deadLetter\": the id of the sink that receives the bad records")
        }
        if deadLetter != nil && onError != .deadLetter {
            issue(Self.join(path, "deadLetter"), "\"deadLetter\" needs \"onError\": \"dead-letter\"")
        }
        return (onError, deadLetter)
    }

    /// `{"rate": "1%", "window": 10000}`; the rate also as a fraction (`0.01`).
    private mutating func errorRate(_ v: JSONValue, _ path: String) -> ErrorRate? {
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "maxErrorRate")
        let window = int(o, "window", path, in: JobLimits.errorRateWindow) ?? 10_000
        guard let r = required(o, "rate", path) else { return nil }
        let p = Self.join(path, "rate")
        var rate: Double?
        if let text = r.string, text.hasSuffix("%"), let pct = Double(text.dropLast().filter { $0 != " " }) {
            rate = pct / 100
        } else if let x = r.number {
            rate = x.double
        }
        guard let rate, rate >= 0, rate <= 1 else {
            issue(p, "expected a rate like \"1%\" or 0.01 (between 0 and 100 %), got \(r.brief)")
            return nil
        }
        return ErrorRate(rate: rate, window: Int(window))
    }

    mutating func eventTime(_ v: JSONValue, _ path: String) -> EventTimeSpec? {
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "eventTime")
        let field = string(o, "field", path, required: true)
        let lateness = duration(o, "maxOutOfOrderness", path) ?? 0
        let idle = duration(o, "idleTimeout", path, positive: true)
        guard let field else { return nil }
        return EventTimeSpec(field: field, maxOutOfOrdernessMs: lateness, idleTimeoutMs: idle)
    }

    /// A source schema: an object of field name → type (`"int"`) or → type and constraints
    /// (`{"type": "int", "min": 0}`), in order, and the constraints aligned with the fields (empty
    /// when no field has any). Nil when any field's name or type is wrong.
    mutating func schema(_ v: JSONValue, _ path: String) -> (schema: Schema, constraints: [FieldConstraints?])? {
        guard let o = object(v, path) else { return nil }
        if o.isEmpty {
            issue(path, "expected at least one field")
            return nil
        }
        var fields: [Field] = []
        var constraints: [FieldConstraints?] = []
        for m in o.members {
            let p = Self.join(path, m.key)
            if m.key.isEmpty {
                issue(path, "a field name must not be empty")
                continue
            }
            if let entry = m.value.object {
                guard let (type, c) = constrainedField(entry, p) else { continue }
                fields.append(Field(m.key, type))
                constraints.append(c)
                continue
            }
            if m.value.string != nil || m.value.isNull {
                guard let type = fieldType(m.value, p) else { continue }
                fields.append(Field(m.key, type))
                constraints.append(nil)
                continue
            }
            let names = Self.orList(FieldType.allCases.map(\.rawValue), quoted: false, word: "or")
            issue(p, "expected a type (\(names)) or an object like {\"type\": \"int\", \"min\": 0}, got \(m.value.brief)")
        }
        guard fields.count == o.members.count else { return nil }
        return (Schema(fields), constraints.contains { $0 != nil } ? constraints : [])
    }
}

extension JobReader {
    mutating func sink(_ v: JSONValue, _ path: String) -> SinkSpec? {
        guard let o = object(v, path) else { return nil }
        let id = self.id(o, path)
        let kind = enumValue(o, "type", path, as: SinkSpec.Kind.self, required: true)
        // A sink that only receives dead letters (a source's `deadLetter`) needs no inputs.
        let inputs = stringArray(o, "inputs", path, nonEmpty: true, required: !deadLetterTargets.contains(id ?? ""))
        guard let kind, let id else { return nil }
        var s = SinkSpec(id: id, kind: kind, inputs: inputs ?? [], jsonPath: path)
        s.parallelism = int(o, "parallelism", path, in: JobLimits.parallelism)
        s.format = enumValue(o, "format", path, as: DataFormat.self) ?? .jsonl
        s.fields = stringArray(o, "fields", path, nonEmpty: true)
        s.retry = retry(o, path)
        s.circuitBreaker = circuitBreaker(o, path)
        s.fallback = string(o, "fallback", path)
        switch kind {
        case .stdout:
            checkKeys(o, path, kind: "stdoutSink", family: JobParser.sinkKinds, noun: "sink")
        case .file:
            checkKeys(o, path, kind: "fileSink", family: JobParser.sinkKinds, noun: "sink")
            s.path = self.path(o, "path", path, required: true)
            s.header = bool(o, "header", path) ?? false
            if s.format != .csv && o["header"] != nil {
                issue(Self.join(path, "header"), "\"header\" applies only to \"format\": \"csv\"")
            }
            s.partitionBy = string(o, "partitionBy", path)
            if let key = string(o, "partitionKey", path) {
                if key.contains("/") || key.contains("=") || key.utf8.contains(0) || key == "." || key == ".." {
                    issue(Self.join(path, "partitionKey"), "expected a directory key without '/' or '=', got \"\(key)\"")
                } else {
                    s.partitionKey = key
                }
            }
            s.rollBytes = byteSize(o, "rollSize", path) ?? s.rollBytes
        }
        return s
    }
}
