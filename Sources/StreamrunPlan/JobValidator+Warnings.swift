import StreamrunCore

extension JobPlan {
    /// Problems that do not stop the job, with the JSON path of each: a source or operator whose
    /// output nobody reads (`operators[1]: "eur" is not read by any operator or sink`).
    ///
    /// Such a node is still part of the plan; its output goes nowhere. The CLI prints these before
    /// running, so a forgotten wire is never silent.
    public var warnings: [JobIssue] {
        nodes.compactMap { node in
            if case .sink = node.kind { return nil }
            guard consumers(of: node.id).isEmpty else { return nil }
            return JobIssue(node.jsonPath, "\"\(node.id)\" is not read by any operator or sink")
        }
    }
}
