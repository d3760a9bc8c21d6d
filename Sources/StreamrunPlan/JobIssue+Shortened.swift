import StreamrunCore

extension JobIssue {
    /// The longest quoted value (or unquoted word, like a number) a message shows before cutting it with `…`.
    static let maxValueLength = 80

    /// A problem whose path and message quote at most ``maxValueLength`` characters of any one value, so
    /// a 70 KB id or string gives a readable line instead of a 70 KB one, and show control characters as
    /// escapes (`\n`, `\u0000`), so every problem stays on its own line.
    static func shortened(_ path: String, _ message: String) -> JobIssue {
        JobIssue(shorten(JSONValue.escapingControls(path)), shorten(JSONValue.escapingControls(message)))
    }

    /// Cuts every double-quoted part, and every run of characters without spaces, that is longer than
    /// ``maxValueLength`` to that length plus `…` (a quoted part keeps its closing quote).
    static func shorten(_ text: String) -> String {
        guard text.utf8.count > maxValueLength else { return text }
        let chars = Array(text)
        var out = ""
        var i = 0
        func cut(_ part: ArraySlice<Character>) -> String {
            part.count > maxValueLength ? String(part.prefix(maxValueLength)) + "…" : String(part)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\"", let close = chars[(i + 1)...].firstIndex(of: "\"") {
                out += "\"" + cut(chars[(i + 1)..<close]) + "\""
                i = close + 1
            } else if c.isWhitespace {
                out.append(c)
                i += 1
            } else {
                let end = chars[i...].firstIndex { $0.isWhitespace || $0 == "\"" } ?? chars.count
                out += cut(chars[i..<max(end, i + 1)])
                i = max(end, i + 1)
            }
        }
        return out
    }
}
