import StreamrunCore

/// Checks a ``JobSpec`` as a whole and builds its ``JobPlan``: ids, inputs, cycles, schemas flowing
/// through every node, expressions, event time, keys and parallelism.
///
/// Every problem is reported in one pass, each with the JSON path of the bad value. A node whose own
/// definition has a problem passes an unknown schema downstream, so its consumers are not blamed for it.
public enum JobValidator {
    /// Validates `spec`, or throws ``StreamrunError/invalidJob(_:_:)`` listing every problem.
    public static func validate(_ spec: JobSpec, file: String = "job.json") throws(StreamrunError) -> JobPlan {
        let (plan, issues) = check(spec)
        guard let plan, issues.isEmpty else { throw .invalidJob(file, issues) }
        return plan
    }

    /// The plan (when there is no problem) and every problem found.
    public static func check(_ spec: JobSpec) -> (plan: JobPlan?, issues: [JobIssue]) {
        check(spec, hints: Hints())
    }

    /// What the parser already knows: problems it reported that validation must not repeat.
    struct Hints {
        /// Set when the spec comes from ``JobParser``, which reports missing and empty lists itself.
        var fromParser = false
        /// Nodes whose output schema is unknown because their definition had a problem.
        var tainted: Set<String> = []
        /// Ids of nodes that were declared but could not be read at all.
        var dropped: Set<String> = []
        /// Whether the parser reported anything (then unplanned nodes are explained).
        var parserFoundProblems = false
    }

    static func check(_ spec: JobSpec, hints: Hints) -> (plan: JobPlan?, issues: [JobIssue]) {
        var v = Validation(spec: spec, hints: hints)
        v.run()
        if v.issues.isEmpty && !hints.parserFoundProblems && v.planNodes.count + v.standbys.count != v.decls.count {
            // Every node without a reported problem is planned; anything else is a bug here.
            let planned = Set(v.planNodes.map(\.id))
            for d in v.decls where !planned.contains(NodeID(d.id)) && v.standbys[d.id] == nil {
                v.issue(d.path, "internal error: \"\(d.id)\" could not be planned; please report this job")
            }
        }
        return (v.issues.isEmpty ? JobPlan(spec: spec, nodes: v.planNodes) : nil, v.issues)
    }
}

/// One declared node, whatever its role.
struct Declared {
    enum Role {
        case source(SourceSpec)
        case op(OperatorSpec)
        case sink(SinkSpec)
    }

    var role: Role
    var id: String
    var path: String
    var rawInputs: [String]

    var isSink: Bool { if case .sink = role { return true } else { return false } }
    var isSource: Bool { if case .source = role { return true } else { return false } }
    var isWindow: Bool { if case .op(let o) = role { return o.kind == .window } else { return false } }
    var sendsDeadLetters: Bool {
        switch role {
        case .source(let s): return s.onError == .deadLetter
        case .op(let o): return o.onError == .deadLetter
        case .sink: return false
        }
    }

    /// `a source`, `a filter`, `a sink`: how messages name the node's role.
    var roleName: String {
        switch role {
        case .source: return "a source"
        case .op(let o): return "a \(o.kind.rawValue)"
        case .sink: return "a sink"
        }
    }
}

/// The state of one validation pass.
struct Validation {
    let spec: JobSpec
    let hints: Hints
    var issues: [JobIssue] = []
    var decls: [Declared] = []
    var index: [String: Int] = [:]
    /// Resolved inputs of each declared node (only those naming a real source or operator).
    var inputs: [[InputRef]] = []
    /// Nodes that have an input naming an unknown or unreadable node.
    var unresolved: Set<Int> = []
    var flows: [String: Flow] = [:]
    var planNodes: [PlanNode] = []
    /// Sources named as another source's `fallback` (standby id → the first source naming it): they
    /// are not planned; the source that names one switches to its path.
    var standbys: [String: String] = [:]

    typealias Hints = JobValidator.Hints

    init(spec: JobSpec, hints: Hints) {
        self.spec = spec
        self.hints = hints
    }

    mutating func issue(_ path: String, _ message: String) { issues.append(.shortened(path, message)) }

    mutating func run() {
        checkJob()
        declare()
        checkSourceFallbacks()
        checkFaults()
        resolveInputs()
        let order = topologicalOrder()
        for i in order { flowThrough(i) }
    }

    private mutating func checkJob() {
        if !hints.fromParser {
            if spec.name.isEmpty {
                issue("name", "expected a non-empty string, got \"\"")
            } else if !SafeNames.isValidJobName(spec.name) {
                issue("name", "expected a name of letters, digits, '_', '-' and '.', not starting with '.', got \"\(spec.name)\"")
            }
            if spec.sources.isEmpty { issue("sources", "a job needs at least one source") }
            if spec.sinks.isEmpty { issue("sinks", "a job needs at least one sink") }
            let (p, k) = (JobLimits.parallelism, JobLimits.keyGroups)
            if !p.contains(Int64(spec.parallelism)) {
                issue("parallelism", "expected an integer from \(p.lowerBound) to \(p.upperBound), got \(spec.parallelism)")
            }
            if !k.contains(Int64(spec.maxParallelism)) {
                issue("maxParallelism", "expected an integer from \(k.lowerBound) to \(k.upperBound), got \(spec.maxParallelism)")
            }
        }
        if spec.maxParallelism >= 1 && spec.parallelism > spec.maxParallelism {
            issue("parallelism", "\(spec.parallelism) is more than maxParallelism \(spec.maxParallelism)")
        }
    }

    /// Collects every node in declaration order (sources, operators, sinks) and reports duplicate ids.
    private mutating func declare() {
        var all: [Declared] = spec.sources.map { Declared(role: .source($0), id: $0.id, path: $0.jsonPath, rawInputs: []) }
        all += spec.operators.map { Declared(role: .op($0), id: $0.id, path: $0.jsonPath, rawInputs: $0.inputs) }
        all += spec.sinks.map { Declared(role: .sink($0), id: $0.id, path: $0.jsonPath, rawInputs: $0.inputs) }
        addDeadLetterInputs(&all)
        for d in all {
            if let first = index[d.id] {
                let at = Validation.join(decls[first].path, "id")
                issue(Validation.join(d.path, "id"), "duplicate id \"\(d.id)\" (also \(at))")
                continue
            }
            index[d.id] = decls.count
            decls.append(d)
        }
    }

    /// A node's `deadLetter` sink reads its `.dead` output: adds `"<id>.dead"` to that sink's inputs,
    /// and reports a `deadLetter` that names no sink, and a sink left without inputs.
    private mutating func addDeadLetterInputs(_ all: inout [Declared]) {
        for d in all {
            let named: String?
            switch d.role {
            case .source(let s): named = s.deadLetter
            case .op(let o): named = o.deadLetter
            case .sink: named = nil
            }
            guard let target = named else { continue }
            let path = Validation.join(d.path, "deadLetter")
            guard let k = all.firstIndex(where: { $0.id == target }) else {
                let sinks = all.filter(\.isSink).map(\.id)
                issue(path, Suggestions.unknown("sink", target, among: sinks))
                continue
            }
            guard all[k].isSink else {
                issue(path, "\"\(target)\" is \(all[k].roleName); dead letters go to a sink")
                continue
            }
            let ref = "\(d.id).dead"
            if !all[k].rawInputs.contains(ref) { all[k].rawInputs.append(ref) }
        }
        for d in all {
            guard case .sink(let s) = d.role, let target = s.fallback else { continue }
            let path = Validation.join(d.path, "fallback")
            guard let k = all.firstIndex(where: { $0.id == target }) else {
                issue(path, Suggestions.unknown("sink", target, among: all.filter(\.isSink).map(\.id).filter { $0 != d.id }))
                continue
            }
            guard all[k].isSink else {
                issue(path, "\"\(target)\" is \(all[k].roleName); a sink falls back to another sink")
                continue
            }
            guard target != d.id else {
                issue(path, "a sink cannot be its own fallback")
                continue
            }
            if s.circuitBreaker == nil {
                issue(path, "a fallback takes over while the sink's circuit breaker is open; add \"circuitBreaker\"")
            }
            let ref = "\(d.id).fallback"
            if !all[k].rawInputs.contains(ref) { all[k].rawInputs.append(ref) }
        }
        for d in all where d.isSink && d.rawInputs.isEmpty && !hints.fromParser {
            issue(d.path, "missing required key \"inputs\"")
        }
    }

    /// Every fault names an operator or sink.
    private mutating func checkFaults() {
        for f in spec.faults {
            let path = Validation.join(f.jsonPath, "node")
            guard let i = index[f.node] else {
                issue(path, Suggestions.unknown("node", f.node, among: decls.filter { !$0.isSource }.map(\.id)))
                continue
            }
            switch f.kind.target {
            case .operatorOrSink:
                if decls[i].isSource { issue(path, "\"\(f.node)\" is a source; \"\(f.kind.rawValue)\" goes on an operator or sink") }
            case .sink:
                if !decls[i].isSink { issue(path, "\"\(f.node)\" is \(decls[i].roleName); \"\(f.kind.rawValue)\" goes on a sink") }
            case .source:
                if !decls[i].isSource { issue(path, "\"\(f.node)\" is \(decls[i].roleName); \"\(f.kind.rawValue)\" goes on a source") }
            }
        }
    }

    private mutating func resolveInputs() {
        inputs = Array(repeating: [], count: decls.count)
        for (i, d) in decls.enumerated() {
            var seen: Set<InputRef> = []
            for (k, raw) in d.rawInputs.enumerated() {
                let path = Validation.join(d.path, "inputs") + "[\(k)]"
                let ref = InputRef(parsing: raw)
                guard let j = index[ref.node.name] else {
                    if !hints.dropped.contains(ref.node.name) {
                        issue(path, "\"\(raw)\" is not a source or operator id")
                    }
                    unresolved.insert(i)
                    continue
                }
                if let primary = standbys[ref.node.name] {
                    issue(path, "\"\(raw)\" is the fallback of source \"\(primary)\", a standby that is not read by itself; read \"\(primary)\"")
                    unresolved.insert(i)
                    continue
                }
                if decls[j].isSink && ref.output != .fallback {
                    issue(path, "\"\(raw)\" is a sink; sinks have no output to read")
                    unresolved.insert(i)
                    continue
                }
                if ref.output == .late && !decls[j].isWindow {
                    issue(path, "\"\(raw)\": only a window has a late output, and \"\(ref.node)\" is \(decls[j].roleName)")
                    unresolved.insert(i)
                    continue
                }
                if ref.output == .fallback, case .sink(let s) = decls[j].role, s.fallback == d.id {
                } else if ref.output == .fallback {
                    issue(path, "\"\(raw)\": a sink's fallback output goes only to the sink its \"fallback\" names")
                    unresolved.insert(i)
                    continue
                }
                if ref.output == .dead && !decls[j].sendsDeadLetters {
                    issue(path, "\"\(raw)\": only a source or map with \"onError\": \"dead-letter\" has dead letters")
                    unresolved.insert(i)
                    continue
                }
                if !seen.insert(ref).inserted {
                    issue(path, "\"\(raw)\" is listed twice")
                    continue
                }
                inputs[i].append(ref)
            }
        }
    }

    /// Nodes with inputs before their consumers, ties broken by declaration order. Nodes on or after
    /// a cycle are left out, and each cycle is reported once: `operators: cycle q2 → eur → q2`.
    private mutating func topologicalOrder() -> [Int] {
        let preds: [[Int]] = inputs.map { refs in refs.compactMap { index[$0.node.name] } }
        var placed = Array(repeating: false, count: decls.count)
        var order: [Int] = []
        // Repeatedly take the earliest-declared node whose inputs are all placed.
        while let next = decls.indices.first(where: { !placed[$0] && preds[$0].allSatisfy { placed[$0] } }) {
            placed[next] = true
            order.append(next)
        }
        var done = placed
        for start in decls.indices where !done[start] {
            // Walk upstream through unplaced nodes: each has an unplaced input, so the walk meets itself.
            var walk = [start]
            var cur = start
            while true {
                guard let p = preds[cur].first(where: { !placed[$0] }) else { break }
                if let k = walk.firstIndex(of: p) {
                    var cycle = Array(walk[k...].reversed())
                    if !cycle.contains(where: { done[$0] }) {
                        let m = cycle.indices.min { cycle[$0] < cycle[$1] }!
                        cycle = Array(cycle[m...] + cycle[..<m])
                        let names = (cycle + [cycle[0]]).map { decls[$0].id }
                        issue("operators", "cycle " + names.joined(separator: " → "))
                    }
                    break
                }
                walk.append(p)
                cur = p
            }
            for w in walk { done[w] = true }
        }
        return order
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}
