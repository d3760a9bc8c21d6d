import StreamrunCore

extension Validation {
    /// Every source's `fallback`: it names another file source, not itself, with the same format,
    /// schema, event time and `follow`, that has no fallback and no dead letters of its own. The
    /// sources named are standbys (``standbys``): not planned, and no node may read them.
    mutating func checkSourceFallbacks() {
        for d in decls {
            guard case .source(let s) = d.role, let target = s.fallback else { continue }
            let path = Validation.join(d.path, "fallback")
            let sources = decls.filter(\.isSource).map(\.id).filter { $0 != d.id }
            guard let k = index[target] else {
                issue(path, Suggestions.unknown("source", target, among: sources))
                continue
            }
            guard case .source(let f) = decls[k].role else {
                issue(path, "\"\(target)\" is \(decls[k].roleName); a source falls back to another source")
                continue
            }
            guard target != s.id else {
                issue(path, "a source cannot be its own fallback")
                continue
            }
            if f.kind != s.kind {
                issue(path, "\"\(target)\" is a \(f.kind.rawValue) source; a fallback has the same type as its source (\(s.kind.rawValue))")
                continue
            }
            var differences: [String] = []
            if f.format != s.format { differences.append("format (\(f.format.rawValue), not \(s.format.rawValue))") }
            if f.schema != s.schema { differences.append("schema") }
            if f.eventTime != s.eventTime { differences.append("eventTime") }
            if f.follow != s.follow { differences.append("follow") }
            if !differences.isEmpty {
                issue(path, "\"\(target)\" differs in \(differences.joined(separator: ", ")); a fallback reads the same data as its source")
            }
            if f.fallback != nil {
                issue(path, "\"\(target)\" has a fallback of its own; a fallback cannot have one")
            }
            if f.deadLetter != nil {
                issue(Validation.join(f.jsonPath, "deadLetter"),
                      "\"\(target)\" is the fallback of \"\(s.id)\", whose onError and deadLetter apply to it; remove its own")
            }
            if standbys[target] == nil { standbys[target] = s.id }
        }
    }
}
