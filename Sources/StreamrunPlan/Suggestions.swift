/// "Did you mean …?" for misspelled names: the closest candidate by edit distance, if close enough.
public enum Suggestions {
    /// The candidate nearest to `name`, when at most about a third of its characters differ.
    public static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let a = Array(name.lowercased())
        var best: (String, Int)?
        for c in candidates {
            let d = distance(a, Array(c.lowercased()))
            if d < (best?.1 ?? .max) { best = (c, d) }
        }
        guard let (c, d) = best, d > 0 || c != name else { return best?.0 }
        return d <= max(1, (max(a.count, c.count) + 2) / 3) ? c : nil
    }

    /// `unknown field "prise" (did you mean "price"?)`, or without the hint when nothing is close.
    public static func unknown(_ what: String, _ name: String, among candidates: some Sequence<String>) -> String {
        if let c = closest(to: name, among: candidates) { return "unknown \(what) \"\(name)\" (did you mean \"\(c)\"?)" }
        return "unknown \(what) \"\(name)\""
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = prev
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
