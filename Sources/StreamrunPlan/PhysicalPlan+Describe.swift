import StreamrunCore

extension PhysicalPlan {
    /// The plan as `streamrun plan` prints it: stages, parallelism, chained operators, edges and schemas.
    public func describe(_ plan: JobPlan) -> String {
        var lines = ["job \"\(plan.spec.name)\": \(stages.count) stage\(stages.count == 1 ? "" : "s"), "
            + "\(maxParallelism) key groups"]
        for stage in stages {
            lines.append("")
            lines.append("stage \(stage.index)  parallelism \(stage.parallelism)")
            for e in stage.inputs {
                var how = e.partitioning.description
                if case .keyed(let fields) = e.partitioning, let schema = plan.node(stage.head)?.inputSchema {
                    how = "keyed by " + fields.map { schema[$0].name }.joined(separator: ", ")
                }
                lines.append("  ← \(e.from) (stage \(e.fromStage)), \(how)")
            }
            for (k, id) in stage.nodes.enumerated() {
                let node = plan.node(id)!
                let prefix = k == 0 ? "  " : "  ↳ chained "
                // A chained node reading a side output (`w.late`, `bids.dead`) says which.
                let side = k > 0 && node.inputs.count == 1 && node.inputs[0].output != .main ? " ← \(node.inputs[0])" : ""
                lines.append("\(prefix)\(id) [\(node.typeName)]\(side)\(detail(node))")
                lines.append("      out \(node.outputSchema)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private func detail(_ node: PlanNode) -> String {
        switch node.kind {
        case .source(let s):
            switch s.kind {
            case .file:
                let constrained = s.schema.fields.indices.filter { s.constraints(at: $0) != nil }.map { s.schema[$0].name }
                let constraints = constrained.isEmpty ? "" : ", constraints on " + constrained.joined(separator: ", ")
                return " \(s.path ?? "") (\(s.format.rawValue)\(s.follow ? ", follow" : "")\(constraints))"
            case .generator: return " nexmark bids, seed \(s.seed)" + (s.count.map { ", \($0) events" } ?? ", unbounded")
            }
        case .filter(let e): return " where \(e.source)"
        case .map(let m): return " \(m.expressions.count) computed column\(m.expressions.count == 1 ? "" : "s")"
        case .window(let w):
            var parts = [w.window.description]
            if w.allowedLatenessMs > 0 { parts.append("allowed lateness \(Durations.format(w.allowedLatenessMs))") }
            if let ttl = w.stateTtlMs { parts.append("state ttl \(Durations.format(ttl))") }
            return " " + parts.joined(separator: ", ")
        case .dedupe(let d): return " within \(Durations.format(d.withinMs))"
        case .sink(let s):
            return " \(s.spec.path ?? "stdout") (\(s.spec.format.rawValue))" + (s.partition.map { ", partitioned by \($0.source)" } ?? "")
        }
    }
}

extension WindowSpec: CustomStringConvertible {
    /// The window as job.json writes it: `tumbling 10s`, `sliding 10s every 2s`, `session gap 15m`.
    public var description: String {
        switch self {
        case .tumbling(let size): return "tumbling \(Durations.format(size))"
        case .sliding(let size, let slide): return "sliding \(Durations.format(size)) every \(Durations.format(slide))"
        case .session(let gap): return "session gap \(Durations.format(gap))"
        }
    }
}
