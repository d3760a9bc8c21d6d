import StreamrunCore

/// How a timestamp field's values are written (`"format"` in a schema entry). The value is stored as
/// epoch milliseconds whatever the format.
public enum TimestampFormat: Sendable, Hashable, CustomStringConvertible {
    /// An integer: milliseconds since the epoch.
    case epochMillis
    /// An integer: seconds since the epoch (stored × 1000).
    case epochSeconds
    /// A string in ISO-8601 (`2024-01-01`, `2024-01-01T10:00:00.5Z`, `2024-01-01 10:00:00+02:00`).
    case iso8601
    /// A string in a strftime-like pattern (`"%Y-%m-%d %H:%M:%S"`).
    case pattern(TimestampPattern)

    /// The names accepted besides a pattern.
    public static let names = ["epochMillis", "epochSeconds", "iso8601"]

    /// The format named or written by `text`: a name, or a pattern (any text with a `%`). Throws a
    /// one-line message for a pattern with an unknown or repeated directive.
    public init?(_ text: String) throws(TimestampPattern.Problem) {
        switch text {
        case "epochMillis": self = .epochMillis
        case "epochSeconds": self = .epochSeconds
        case "iso8601": self = .iso8601
        default:
            guard text.contains("%") else { return nil }
            self = .pattern(try TimestampPattern(text))
        }
    }

    public var description: String {
        switch self {
        case .epochMillis: return "epochMillis"
        case .epochSeconds: return "epochSeconds"
        case .iso8601: return "iso8601"
        case .pattern(let p): return "\"\(p.text)\""
        }
    }

    /// True for the formats written as JSON strings (`iso8601` and patterns), false for integers.
    public var isText: Bool {
        switch self {
        case .epochMillis, .epochSeconds: return false
        case .iso8601, .pattern: return true
        }
    }
}

/// A strftime-like timestamp pattern: `%Y` (4-digit year), `%m` (01–12), `%d` (01 to the month's
/// last day, leap years counted), `%H` (00–23), `%M` (00–59), `%S` (00–60; 60 is a leap second,
/// counted as the next minute's 00), `%z` (`Z`, `+hh`, `+hhmm` or `+hh:mm`, either sign), `%%` (a
/// `%`); every other character stands for itself. Numbers have exactly their width. Without `%z` a
/// time is UTC. `%Y`, `%m` and `%d` are required; fields left out count from zero.
public struct TimestampPattern: Sendable, Hashable {
    enum Piece: Hashable, Sendable {
        case literal(UInt8)
        case year, month, day, hour, minute, second, offset
    }

    /// A pattern that cannot be compiled: `unknown directive %Q`.
    public struct Problem: Error, Sendable {
        public var message: String
    }

    public let text: String
    let pieces: [Piece]

    public static let directives = "%Y %m %d %H %M %S %z %%"

    public init(_ text: String) throws(Problem) {
        var pieces: [Piece] = []
        var seen: Set<UInt8> = []
        var bytes = text.utf8.makeIterator()
        while let b = bytes.next() {
            guard b == UInt8(ascii: "%") else {
                pieces.append(.literal(b))
                continue
            }
            guard let d = bytes.next() else { throw Problem(message: "a pattern must not end with a lone %") }
            let piece: Piece
            switch d {
            case UInt8(ascii: "Y"): piece = .year
            case UInt8(ascii: "m"): piece = .month
            case UInt8(ascii: "d"): piece = .day
            case UInt8(ascii: "H"): piece = .hour
            case UInt8(ascii: "M"): piece = .minute
            case UInt8(ascii: "S"): piece = .second
            case UInt8(ascii: "z"): piece = .offset
            case UInt8(ascii: "%"):
                pieces.append(.literal(d))
                continue
            default:
                let shown = d < 0x80 ? "%" + String(UnicodeScalar(d)) : "% followed by a non-ASCII character"
                throw Problem(message: "unknown directive \(shown) (supported: \(Self.directives))")
            }
            guard seen.insert(d).inserted else {
                throw Problem(message: "directive %\(UnicodeScalar(d)) appears twice")
            }
            pieces.append(piece)
        }
        let missing = [("%Y", UInt8(ascii: "Y")), ("%m", UInt8(ascii: "m")), ("%d", UInt8(ascii: "d"))].filter { !seen.contains($0.1) }
        if !missing.isEmpty {
            throw Problem(message: "a pattern needs %Y, %m and %d (missing: \(missing.map(\.0).joined(separator: ", ")))")
        }
        self.text = text
        self.pieces = pieces
    }

    /// The epoch milliseconds written by `text`, or nil when it does not match the whole pattern or
    /// names a date that does not exist (`2023-02-29`).
    public func parse(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = text.count
        func number(_ width: Int) -> Int64? {
            guard n - i >= width else { return nil }
            var v: Int64 = 0
            for k in i..<(i + width) {
                let d = text[k] &- 0x30
                guard d <= 9 else { return nil }
                v = v * 10 + Int64(d)
            }
            i += width
            return v
        }
        var year: Int64 = 0, month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0
        var offsetMinutes: Int64 = 0
        for piece in pieces {
            switch piece {
            case .literal(let b):
                guard i < n, text[i] == b else { return nil }
                i += 1
            case .year:
                guard let v = number(4) else { return nil }
                year = v
            case .month:
                guard let v = number(2), v >= 1, v <= 12 else { return nil }
                month = v
            case .day:
                guard let v = number(2), v >= 1 else { return nil }
                day = v
            case .hour:
                guard let v = number(2), v <= 23 else { return nil }
                hour = v
            case .minute:
                guard let v = number(2), v <= 59 else { return nil }
                minute = v
            case .second:
                guard let v = number(2), v <= 60 else { return nil }
                second = v
            case .offset:
                guard i < n else { return nil }
                if text[i] == UInt8(ascii: "Z") {
                    i += 1
                    continue
                }
                guard text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") else { return nil }
                let sign: Int64 = text[i] == UInt8(ascii: "+") ? 1 : -1
                i += 1
                guard let h = number(2), h <= 23 else { return nil }
                var m: Int64 = 0
                if i < n && text[i] == UInt8(ascii: ":") {
                    i += 1
                    guard let v = number(2) else { return nil }
                    m = v
                } else if n - i >= 2 && text[i] &- 0x30 <= 9 {
                    guard let v = number(2) else { return nil }
                    m = v
                }
                guard m <= 59 else { return nil }
                offsetMinutes = sign * (h * 60 + m)
            }
        }
        guard i == n, day <= Self.daysIn(month: month, year: year) else { return nil }
        let days = Timestamps.days(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second
        return seconds * 1000
    }

    /// 28 to 31.
    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
