import StreamrunCore

extension Validation {
    mutating func filter(_ o: OperatorSpec, _ input: Flow) -> Flow {
        let p = parallelism(o.parallelism, path: o.jsonPath)
        guard let schema = input.schema, let text = o.whereExpr else {
            if o.whereExpr == nil && !hints.fromParser { issue(o.jsonPath, "missing required key \"where\"") }
            return input
        }
        let path = Validation.join(o.jsonPath, "where")
        // A filter's output is its input whatever its predicate, so a bad predicate does not cascade.
        guard let e = compile(text, schema, path) else { return input }
        guard e.type == .bool else {
            issue(path, "expected a bool expression, got \(e.type.map(\.rawValue) ?? "null")")
            return input
        }
        append(o, .filter(e), schema, schema, p)
        return input
    }

    /// `set` (simultaneous, in place or appended), then `drop`, then `select`.
    mutating func map(_ o: OperatorSpec, _ input: Flow) -> Flow {
        let p = parallelism(o.parallelism, path: o.jsonPath)
        guard let schema = input.schema else { return .unknown }
        var columns: [(field: Field, column: MapProgram.OutputColumn)] =
            schema.fields.enumerated().map { ($1, .input($0)) }
        var expressions: [CompiledExpression] = []
        var names: [String] = []
        var ok = true
        for (field, text) in o.set {
            let path = Validation.join(o.jsonPath, "set.\(field)")
            guard let e = compile(text, schema, path) else {
                ok = false
                continue
            }
            guard let type = e.type else {
                issue(path, "a bare null has no type; give the field a typed value")
                ok = false
                continue
            }
            let out = (Field(field, type), MapProgram.OutputColumn.computed(expressions.count))
            expressions.append(e)
            names.append(field)
            if let k = columns.firstIndex(where: { $0.field.name == field }) { columns[k] = out } else { columns.append(out) }
        }
        let afterSet = Schema(columns.map(\.field))
        let dropPath = Validation.join(o.jsonPath, "drop")
        if let dropped = resolveFields(o.drop, in: afterSet, dropPath) {
            let gone = Set(dropped)
            columns = columns.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
        } else {
            ok = false
        }
        if let select = o.select {
            let selectPath = Validation.join(o.jsonPath, "select")
            if let picked = resolveFields(select, in: Schema(columns.map(\.field)), selectPath) {
                columns = picked.map { columns[$0] }
            } else {
                ok = false
            }
        }
        if columns.isEmpty {
            issue(o.jsonPath, "a map must keep at least one field")
            ok = false
        }
        guard ok else { return .unknown }
        let out = Schema(columns.map(\.field))
        let program = MapProgram(expressions: expressions, outputs: columns.map(\.column), names: names, onError: o.onError)
        if o.onError != nil && !expressions.contains(where: \.canFail) {
            issue(Validation.join(o.jsonPath, "onError"),
                  "no expression of this map can fail on a record (only int(…), float(…), / and % outside coalesce, if and is_null can)")
        }
        let dead = o.onError == .deadLetter ? DeadLetter.schema : nil
        planNodes.append(PlanNode(id: NodeID(o.id), kind: .map(program), inputs: inputRefs(o.id), inputSchema: schema, outputSchema: out,
                                  deadSchema: dead, parallelism: p, jsonPath: o.jsonPath))
        var time = input.eventTime
        if case .field(let f) = time {
            if o.set.contains(where: { $0.field == f }) {
                time = .missing("map \"\(o.id)\" replaces the event-time field \"\(f)\"")
            } else if out.index(of: f) == nil {
                time = .missing("map \"\(o.id)\" drops the event-time field \"\(f)\"")
            }
        }
        return Flow(schema: out, eventTime: time, dead: dead)
    }

    /// Output: key fields, `window_start`, `window_end`, then one field per aggregate.
    mutating func window(_ o: OperatorSpec, _ input: Flow) -> Flow {
        let global = o.keyBy.isEmpty
        var p = parallelism(o.parallelism, path: o.jsonPath, defaultValue: global ? 1 : nil)
        if global, let explicit = o.parallelism, explicit > 1 {
            issue(Validation.join(o.jsonPath, "parallelism"),
                  "a global window (no keyBy) runs with parallelism 1, got \(explicit)")
            p = 1
        }
        if o.window == nil && !hints.fromParser { issue(o.jsonPath, "missing required key \"window\"") }
        guard let schema = input.schema else { return .unknown }
        let keys = resolveFields(o.keyBy, in: schema, Validation.join(o.jsonPath, "keyBy"))
        let time = timeField(o, input, schema)
        var fields = (keys ?? []).map { schema[$0] }
        fields += [Field("window_start", .timestamp), Field("window_end", .timestamp)]
        var aggregates: [CompiledAggregate] = []
        for a in o.aggregates {
            let path = Validation.join(o.jsonPath, "aggregates.\(a.name)")
            if fields.contains(where: { $0.name == a.name }) {
                issue(path, "\"\(a.name)\" is already an output field of the window (keys, window_start, window_end)")
                continue
            }
            guard let c = aggregate(a, schema, path) else { continue }
            aggregates.append(c)
            fields.append(Field(a.name, c.outputType))
        }
        let out = Schema(fields)
        let complete = keys != nil && aggregates.count == o.aggregates.count
        if let keys, let time, let w = o.window, complete {
            let plan = WindowPlan(window: w, keyFields: keys, timeField: time, aggregates: aggregates,
                                  allowedLatenessMs: o.allowedLatenessMs, stateTtlMs: o.stateTtlMs)
            planNodes.append(PlanNode(id: NodeID(o.id), kind: .window(plan), inputs: inputRefs(o.id), inputSchema: schema,
                                      outputSchema: out, lateSchema: schema, parallelism: p, keyFields: keys,
                                      jsonPath: o.jsonPath))
        }
        return Flow(schema: complete ? out : nil, eventTime: complete ? .field("window_start") : .unknown, late: schema,
                    lateEventTime: input.eventTime)
    }

    /// Compiles an aggregate's argument and derives its output type.
    mutating func aggregate(_ a: AggregateSpec, _ schema: Schema, _ path: String) -> CompiledAggregate? {
        guard let text = a.argument else {
            if a.function == .count { return CompiledAggregate(name: a.name, function: .count, argument: nil, outputType: .int) }
            issue(path, "\(a.function.rawValue) needs an argument, like \(a.function.rawValue)(price)")
            return nil
        }
        guard let e = compile(text, schema, path) else { return nil }
        guard let t = e.type else {
            issue(path, "\(a.function.rawValue) of a bare null has no type")
            return nil
        }
        let out: FieldType
        switch a.function {
        case .count, .countDistinct: out = .int
        case .sum, .avg:
            guard t.isNumeric else {
                issue(path, "\(a.function.rawValue) needs a number, got \(t)")
                return nil
            }
            out = a.function == .avg ? .float : t
        case .min, .max, .first, .last: out = t
        }
        return CompiledAggregate(name: a.name, function: a.function, argument: e, outputType: out)
    }

    mutating func dedupe(_ o: OperatorSpec, _ input: Flow) -> Flow {
        let p = parallelism(o.parallelism, path: o.jsonPath)
        if !hints.fromParser {
            if o.keyBy.isEmpty { issue(Validation.join(o.jsonPath, "keyBy"), "expected at least one entry") }
            if o.withinMs == nil { issue(o.jsonPath, "missing required key \"within\"") }
        }
        guard let schema = input.schema else { return .unknown }
        let keys = resolveFields(o.keyBy, in: schema, Validation.join(o.jsonPath, "keyBy"))
        let time = timeField(o, input, schema)
        if let keys, let time, let within = o.withinMs, !keys.isEmpty {
            planNodes.append(PlanNode(id: NodeID(o.id), kind: .dedupe(DedupePlan(keyFields: keys, timeField: time, withinMs: within)),
                                      inputs: inputRefs(o.id), inputSchema: schema, outputSchema: schema,
                                      parallelism: p, keyFields: keys, jsonPath: o.jsonPath))
        }
        return input
    }

    mutating func sink(_ s: SinkSpec, _ input: Flow) -> Flow {
        // A sink fed only by one node's dead letters runs beside it (same parallelism, chained).
        let refs = inputRefs(s.id)
        let deadOf = refs.count == 1 && refs[0].output == .dead ? planNodes.first { $0.id == refs[0].node }?.parallelism : nil
        let p = parallelism(s.parallelism, path: s.jsonPath, defaultValue: s.kind == .stdout ? 1 : deadOf)
        if s.kind == .file && s.path == nil && !hints.fromParser { issue(s.jsonPath, "missing required key \"path\"") }
        guard let schema = input.schema else { return .unknown }
        let columns = s.fields.map { resolveFields($0, in: schema, Validation.join(s.jsonPath, "fields")) }
            ?? Array(schema.fields.indices)
        var partition: CompiledExpression?
        if let text = s.partitionBy {
            let path = Validation.join(s.jsonPath, "partitionBy")
            partition = compile(text, schema, path)
            if let e = partition, e.type == nil {
                issue(path, "a bare null cannot name a partition")
                partition = nil
            }
        }
        guard let columns, partition != nil || s.partitionBy == nil else { return .unknown }
        let names = columns.map { schema[$0].name }
        let plan = SinkPlan(spec: s, columns: columns, columnNames: names, partition: partition)
        var node = PlanNode(id: NodeID(s.id), kind: .sink(plan), inputs: inputRefs(s.id), inputSchema: schema,
                            outputSchema: Schema(columns.map { schema[$0] }), parallelism: p, jsonPath: s.jsonPath)
        node.fallbackSchema = s.fallback != nil ? schema : nil
        planNodes.append(node)
        // What a fallback sink reads: this sink's input, as it came.
        return input
    }

    private mutating func append(_ o: OperatorSpec, _ kind: PlanNode.Kind, _ input: Schema, _ output: Schema, _ p: Int) {
        planNodes.append(PlanNode(id: NodeID(o.id), kind: kind, inputs: inputRefs(o.id), inputSchema: input, outputSchema: output,
                                  parallelism: p, jsonPath: o.jsonPath))
    }
}
