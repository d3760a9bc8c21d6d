import StreamrunCore

/// What flows out of a node: its schema (nil when unknown after an earlier problem) and event time.
struct Flow {
    enum EventTime: Equatable {
        /// Records carry event time in this field.
        case field(String)
        /// No event time, and why: the end of `window needs event time: …`.
        case missing(String)
        /// Unknown because of a problem already reported.
        case unknown
    }

    var schema: Schema?
    var eventTime: EventTime
    /// A window's `.late` output.
    var late: Schema?
    var lateEventTime: EventTime = .unknown
    /// The `.dead` output of a node that sends dead letters.
    var dead: Schema?

    static let unknown = Flow(schema: nil, eventTime: .unknown)
}

extension Validation {
    /// Computes node `i`'s output from its inputs' and appends its plan node when it is valid.
    mutating func flowThrough(_ i: Int) {
        let d = decls[i]
        var flow = Flow.unknown
        switch d.role {
        case .source(let s):
            flow = source(s)
        case .op(let o):
            let input = inputFlow(i)
            switch o.kind {
            case .filter: flow = filter(o, input)
            case .map: flow = map(o, input)
            case .window: flow = window(o, input)
            case .dedupe: flow = dedupe(o, input)
            }
        case .sink(let s):
            flow = sink(s, inputFlow(i))
        }
        // A node whose output depends on a definition with a problem passes an unknown schema on
        // (each kind decides), so its consumers are not blamed for it.
        if hints.tainted.contains(d.id) { flow = .unknown }
        flows[d.id] = flow
    }

    /// The common input of node `i`: nil schema when any input is unknown or the inputs disagree.
    mutating func inputFlow(_ i: Int) -> Flow {
        let d = decls[i]
        guard !unresolved.contains(i), !inputs[i].isEmpty else { return .unknown }
        let parts: [(InputRef, Schema?, Flow.EventTime)] = inputs[i].map { ref in
            let f = flows[ref.node.name] ?? .unknown
            switch ref.output {
            case .main: return (ref, f.schema, f.eventTime)
            case .late: return (ref, f.late, f.lateEventTime)
            case .dead: return (ref, f.dead, .missing("dead letters (\"\(ref)\") carry no event time"))
            case .fallback: return (ref, f.schema, f.eventTime)
            }
        }
        guard parts.allSatisfy({ $0.1 != nil }) else { return .unknown }
        let (first, schema, _) = parts[0]
        for (ref, other, _) in parts.dropFirst() where other != schema {
            issue(Validation.join(d.path, "inputs"),
                  "inputs have different schemas: \"\(first)\" \(schema!) and \"\(ref)\" \(other!)")
            return .unknown
        }
        var time = parts[0].2
        for (ref, _, t) in parts.dropFirst() where t != time {
            switch (time, t) {
            case (.unknown, _), (_, .unknown): time = .unknown
            case (.missing, _): break
            case (_, .missing): time = t
            case (.field(let a), .field(let b)):
                time = .missing("inputs \"\(first)\" and \"\(ref)\" have different event-time fields (\"\(a)\" and \"\(b)\")")
            }
        }
        return Flow(schema: schema, eventTime: time)
    }

    // MARK: Sources

    mutating func source(_ s: SourceSpec) -> Flow {
        let schema = s.kind == .generator ? SourceSpec.nexmarkBidSchema : s.schema
        var time = Flow.EventTime.missing("give source \"\(s.id)\" an eventTime")
        if let et = s.eventTime {
            let path = Validation.join(s.jsonPath, "eventTime.field")
            time = .unknown
            if let f = schema.field(named: et.field) {
                if f.type == .timestamp || f.type == .int {
                    time = .field(et.field)
                } else {
                    issue(path, "\"\(et.field)\" is a \(f.type); event time must be a timestamp or int field")
                }
            } else if !hints.tainted.contains(s.id) {
                issue(path, Suggestions.unknown("field", et.field, among: schema.names))
            }
        }
        var planSpec = s
        planSpec.schema = schema
        let p = parallelism(s.parallelism, path: s.jsonPath)
        let dead = s.onError == .deadLetter ? DeadLetter.schema : nil
        if standbys[s.id] != nil { return Flow(schema: schema, eventTime: time) }
        planNodes.append(PlanNode(id: NodeID(s.id), kind: .source(planSpec), inputs: [], inputSchema: nil, outputSchema: schema,
                                  deadSchema: dead, parallelism: p, jsonPath: s.jsonPath))
        return Flow(schema: schema, eventTime: time, dead: dead)
    }

    /// Explicit parallelism, else the job's; explicit values must not exceed maxParallelism.
    mutating func parallelism(_ explicit: Int?, path: String, defaultValue: Int? = nil) -> Int {
        guard let p = explicit else { return defaultValue ?? spec.parallelism }
        let limit = JobLimits.parallelism
        if !limit.contains(Int64(p)) {
            issue(Validation.join(path, "parallelism"), "expected an integer from \(limit.lowerBound) to \(limit.upperBound), got \(p)")
        } else if p > spec.maxParallelism {
            issue(Validation.join(path, "parallelism"), "\(p) is more than maxParallelism \(spec.maxParallelism)")
        }
        return p
    }

    // MARK: Helpers for operators

    /// Compiles `text` against `schema`, reporting a failure at `path`.
    mutating func compile(_ text: String, _ schema: Schema, _ path: String) -> CompiledExpression? {
        switch ExpressionCompiler.compile(text, schema: schema) {
        case .success(let e): return e
        case .failure(let e):
            issue(path, e.message)
            return nil
        }
    }

    /// Indexes of `names` in `schema`, reporting unknown and repeated fields at `path[k]`.
    mutating func resolveFields(_ names: [String], in schema: Schema, _ path: String) -> [Int]? {
        var out: [Int] = []
        var seen: Set<String> = []
        for (k, name) in names.enumerated() {
            let p = path + "[\(k)]"
            if !seen.insert(name).inserted {
                issue(p, "\"\(name)\" is listed twice")
            } else if let i = schema.index(of: name) {
                out.append(i)
            } else {
                issue(p, Suggestions.unknown("field", name, among: schema.names))
            }
        }
        return out.count == names.count ? out : nil
    }

    /// The index of the event-time field, or nil after reporting `<kind> needs event time: …`.
    mutating func timeField(_ o: OperatorSpec, _ input: Flow, _ schema: Schema) -> Int? {
        switch input.eventTime {
        case .field(let f): return schema.index(of: f)
        case .missing(let why):
            issue(o.jsonPath, "\(o.kind.rawValue) needs event time: \(why)")
            return nil
        case .unknown: return nil
        }
    }

    func inputRefs(_ id: String) -> [InputRef] { index[id].map { inputs[$0] } ?? [] }
}
