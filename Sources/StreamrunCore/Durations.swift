/// Parses and prints durations written as `"250ms"`, `"10s"`, `"5m"`, `"1h"`, `"2d"` (milliseconds inside).
public enum Durations {
    private static let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]

    /// Milliseconds for a duration string, or nil when it is not one. A bare "0" is zero.
    public static func parse(_ text: String) -> Int64? {
        let t = text.trimmingSpaces()
        if t == "0" { return 0 }
        var digits = Substring(t)
        var unit = ""
        while let last = digits.last, last.isLetter {
            unit = String(last) + unit
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigitChar), let n = Int64(digits),
            let mult = units.first(where: { $0.0 == unit.lowercased() })?.1
        else { return nil }
        let (r, overflow) = n.multipliedReportingOverflow(by: mult)
        return overflow ? nil : r
    }

    /// The shortest exact rendering: 10000 → "10s", 1500 → "1500ms".
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        for (name, mult) in units.reversed() where ms % mult == 0 { return "\(ms / mult)\(name)" }
        return "\(ms)ms"
    }
}

extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
