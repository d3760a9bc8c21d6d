/// Calendar arithmetic on epoch milliseconds, in UTC, without Foundation or the clock.
public enum Timestamps {
    /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
    @inlinable public static func civil(days z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// (year, month, day) → days since 1970-01-01.
    @inlinable public static func days(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    @inlinable public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// "2024-01-01" for a timestamp in epoch milliseconds.
    public static func date(_ ms: Int64) -> String {
        let (y, m, d) = civil(days: floorDiv(ms, 86_400_000))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// Hour of day (0–23) for a timestamp in epoch milliseconds.
    @inlinable public static func hour(_ ms: Int64) -> Int64 {
        floorDiv(ms, 3_600_000) - floorDiv(ms, 86_400_000) * 24
    }

    /// "2024-01-01T00:00:00.000Z".
    public static func iso8601(_ ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let rem = ms - days * 86_400_000
        let (y, m, d) = civil(days: days)
        let h = rem / 3_600_000, mi = rem / 60_000 % 60, s = rem / 1000 % 60, f = rem % 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(f, 3))Z"
    }

    /// Parses "2024-01-01", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00.123", with an optional
    /// "Z" or "+hh:mm" offset (none means UTC), to epoch milliseconds.
    public static func parse<C: Collection>(_ text: C) -> Int64? where C.Element == UInt8 {
        let b = Array(text)
        var i = 0
        func num(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + n) {
                let c = b[k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = num(4), expect(45), let mo = num(2), expect(45), let d = num(2),
            (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        var ms = days(year: y, month: mo, day: d) * 86_400_000
        if i == b.count { return ms }
        guard i < b.count, b[i] == 84 || b[i] == 32 else { return nil }
        i += 1
        guard let h = num(2), expect(58), let mi = num(2), h < 24, mi < 60 else { return nil }
        ms += h * 3_600_000 + mi * 60_000
        if expect(58) {
            guard let s = num(2), s < 61 else { return nil }
            ms += s * 1000
            if expect(46) {
                var frac: Int64 = 0, digits = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if digits < 3 { frac = frac * 10 + Int64(b[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<3 where digits < 3 { frac *= 10 }
                ms += frac
            }
        }
        if i == b.count || expect(90) { return i == b.count ? ms : nil }
        guard i < b.count, b[i] == 43 || b[i] == 45 else { return nil }
        let sign: Int64 = b[i] == 43 ? 1 : -1
        i += 1
        guard let oh = num(2) else { return nil }
        _ = expect(58)
        guard let om = num(2), i == b.count else { return nil }
        return ms - sign * (oh * 3_600_000 + om * 60_000)
    }

    @usableFromInline static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v < 0 ? -v : v)
        let padded = s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        return v < 0 ? "-" + padded : padded
    }
}
