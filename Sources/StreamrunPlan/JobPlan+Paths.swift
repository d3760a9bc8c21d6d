extension JobPlan {
    /// The plan with every relative path in it (source paths, sink paths, the checkpoint directory)
    /// made relative to `base` — the directory of job.json — so a job runs the same from any directory.
    public func resolvingPaths(relativeTo base: String) -> JobPlan {
        guard !base.isEmpty && base != "." else { return self }
        func resolve(_ p: String?) -> String? {
            guard let p, !p.hasPrefix("/") else { return p }
            return base.hasSuffix("/") ? base + p : base + "/" + p
        }
        var copy = self
        for i in copy.spec.sources.indices {
            if let p = copy.spec.sources[i].path, !p.hasPrefix("/") { copy.spec.sources[i].pathBase = base }
            copy.spec.sources[i].path = resolve(copy.spec.sources[i].path)
        }
        for i in copy.spec.sinks.indices { copy.spec.sinks[i].path = resolve(copy.spec.sinks[i].path) }
        if let dir = copy.spec.checkpoints?.dir { copy.spec.checkpoints?.dir = resolve(dir)! }
        for i in copy.spec.faults.indices { copy.spec.faults[i].whilePath = resolve(copy.spec.faults[i].whilePath) }
        for i in copy.nodes.indices {
            switch copy.nodes[i].kind {
            case .source(var s):
                if let p = s.path, !p.hasPrefix("/") { s.pathBase = base }
                s.path = resolve(s.path)
                copy.nodes[i].kind = .source(s)
            case .sink(var s):
                s.spec.path = resolve(s.spec.path)
                copy.nodes[i].kind = .sink(s)
            default:
                break
            }
        }
        return copy
    }

    /// The directory part of a file path ("." when there is none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }
}
