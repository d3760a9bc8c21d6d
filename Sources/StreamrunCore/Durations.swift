/// Parses and prints durations as job.json writes them: a whole number and a unit (`"250ms"`, `"10s"`,
/// `"5m"`, `"1h"`, `"2d"`), several of them from the largest unit to the smallest (`"1m30s"`,
/// `"1h2m3s"`, `"1s500ms"`), or `"0"`. Milliseconds inside.
///
/// The grammar is strict, so a value means one thing: units are lower-case, numbers have no leading
/// zeros (`"0s"` is fine, `"01s"` is not), each unit appears at most once and in decreasing order, and
/// there are no spaces anywhere.
public enum Durations {
    private static let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
    /// Units from the largest to the smallest: the order of a compound duration.
    private static let order = ["d", "h", "m", "s", "ms"]

    /// Milliseconds for a duration string, or nil when it is not one. A bare "0" is zero.
    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        let b = Array(text.utf8)
        var i = 0
        var total: Int64 = 0
        var lastRank = -1
        while i < b.count {
            let digitsStart = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            let digits = b[digitsStart..<i]
            // No empty number, no leading zero (but "0s" is fine).
            guard !digits.isEmpty, digits.count == 1 || digits.first != 0x30 else { return nil }
            let unitStart = i
            while i < b.count, b[i] >= 0x61, b[i] <= 0x7A { i += 1 }
            let unit = String(decoding: b[unitStart..<i], as: UTF8.self)
            guard let rank = order.firstIndex(of: unit), rank > lastRank,
                let mult = units.first(where: { $0.0 == unit })?.1,
                let n = Int64(String(decoding: digits, as: UTF8.self))
            else { return nil }
            lastRank = rank
            let (part, o1) = n.multipliedReportingOverflow(by: mult)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
        }
        return b.isEmpty ? nil : total
    }

    /// Why `text` is not a duration, for a message (nil when no specific reason applies).
    public static func hint(_ text: String) -> String? {
        if text.isEmpty { return nil }
        if text.first!.isWhitespace || text.last!.isWhitespace || text.contains(" ") { return "no spaces" }
        if text.contains(where: { $0.isUppercase }) { return "units are lower-case: ms, s, m, h, d" }
        let b = Array(text.utf8)
        for (k, c) in b.enumerated() where c == 0x30 && (k == 0 || !(0x30...0x39).contains(b[k - 1]))
            && k + 1 < b.count && (0x30...0x39).contains(b[k + 1]) {
            return "no leading zeros"
        }
        if text.contains(".") { return "whole numbers only: \"1s500ms\", not \"1.5s\"" }
        let parts = zip(b, b.dropFirst()).filter { $0.0 >= 0x61 && $0.0 <= 0x7A && $0.1 >= 0x30 && $0.1 <= 0x39 }.count
        if parts > 0, b.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }) {
            return "units from the largest to the smallest, each once, like \"1m30s\""
        }
        return nil
    }

    /// The shortest exact rendering in one unit: 10000 → "10s", 1500 → "1500ms".
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        for (name, mult) in units.reversed() where ms % mult == 0 { return "\(ms / mult)\(name)" }
        return "\(ms)ms"
    }
}
