import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// A brute-force window model for property tests: it keeps every record and recomputes each
/// window's aggregates from scratch. Rows follow ``WindowTest/schema``.
enum WindowReference {
    /// Every aggregate function, with nulls, over every column type, and one computed argument.
    static let aggregates = WindowTest.aggs([
        ("n", .count, nil), ("cx", .count, "x"), ("sx", .sum, "x"), ("sf", .sum, "f"), ("sx1", .sum, "x + 1"),
        ("sxw", .sum, "x * 1000000000000000000"),
        ("mnx", .min, "x"), ("mxx", .max, "x"), ("mnf", .min, "f"), ("mxf", .max, "f"), ("mns", .min, "s"),
        ("mxs", .max, "s"), ("mnb", .min, "b"), ("mxb", .max, "b"), ("mnt", .min, "ts"), ("ax", .avg, "x"),
        ("af", .avg, "f"), ("fx", .first, "x"), ("lx", .last, "x"), ("fs", .first, "s"), ("ls", .last, "s"),
        ("ff", .first, "f"), ("lb", .last, "b"), ("cds", .countDistinct, "s"), ("cdx", .countDistinct, "x"),
        ("cdf", .countDistinct, "f"), ("cdb", .countDistinct, "b"),
    ])

    struct Record {
        var row: [Value]
        var arrival: Int
        var time: Int64 { if case .timestamp(let t) = row[1] { return t } else { return .min } }
    }

    struct Window: Hashable {
        var key: [Value]
        var start: Int64
        var end: Int64
    }

    // MARK: Assignment, brute force

    /// Every window `[s, s + size)` with `s` a multiple of `slide` that holds `t`, by scanning.
    static func slidingWindows(_ t: Int64, size: Int64, slide: Int64) -> [(Int64, Int64)] {
        var s = Timestamps.floorDiv(t - size, slide) * slide
        var out: [(Int64, Int64)] = []
        while s <= t {
            if s <= t && t < s + size { out.append((s, s + size)) }
            s += slide
        }
        return out
    }

    static func windows(_ t: Int64, _ spec: WindowSpec) -> [(Int64, Int64)] {
        switch spec {
        case .tumbling(let size): return slidingWindows(t, size: size, slide: size)
        case .sliding(let size, let slide): return slidingWindows(t, size: size, slide: slide)
        case .session: preconditionFailure("sessions are computed per key")
        }
    }

    /// All windows of all records at once (no lateness), with their records.
    static func offline(_ records: [Record], keyFields: [Int], spec: WindowSpec) -> [Window: [Record]] {
        var out: [Window: [Record]] = [:]
        if case .session(let gap) = spec {
            let byKey = Dictionary(grouping: records) { r in keyFields.map { r.row[$0] } }
            for (key, recs) in byKey {
                let sorted = recs.sorted { ($0.time, $0.arrival) < ($1.time, $1.arrival) }
                var current: [Record] = []
                var start: Int64 = 0, end: Int64 = 0
                for r in sorted {
                    if !current.isEmpty && r.time <= end {
                        end = max(end, r.time + gap)
                        current.append(r)
                    } else {
                        if !current.isEmpty { out[Window(key: key, start: start, end: end)] = current }
                        current = [r]
                        start = r.time
                        end = r.time + gap
                    }
                }
                if !current.isEmpty { out[Window(key: key, start: start, end: end)] = current }
            }
            return out
        }
        for r in records {
            for (s, e) in windows(r.time, spec) { out[Window(key: keyFields.map { r.row[$0] }, start: s, end: e), default: []].append(r) }
        }
        return out
    }

    // MARK: Aggregates, from scratch

    static func argument(_ text: String, _ row: [Value]) -> Value {
        switch text {
        case "ts": return row[1]
        case "x": return row[2]
        case "f": return row[3]
        case "s": return row[4]
        case "b": return row[5]
        case "x + 1": if case .int(let x) = row[2] { return .int(x &+ 1) } else { return .null }
        case "x * 1000000000000000000":  // wraps: exercises sums that overflow
            if case .int(let x) = row[2] { return .int(x &* 1_000_000_000_000_000_000) } else { return .null }
        default: preconditionFailure("unknown argument \(text)")
        }
    }

    static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)), (.timestamp(let x), .timestamp(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.string(let x), .string(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        case (.bool(let x), .bool(let y)): return !x && y
        default: preconditionFailure("cannot compare \(a) and \(b)")
        }
    }

    /// first/last order: event time, then value (floats as Java's Double.compare), then arrival.
    static func positionLess(_ a: (Value, Int64, Int), _ b: (Value, Int64, Int)) -> Bool {
        if a.1 != b.1 { return a.1 < b.1 }
        if case .float(let x) = a.0, case .float(let y) = b.0 {
            let (kx, ky) = (javaKey(x), javaKey(y))
            if kx != ky { return kx < ky }
        } else if less(a.0, b.0) {
            return true
        } else if less(b.0, a.0) {
            return false
        }
        return a.2 < b.2
    }

    /// Orders doubles like Java's Double.compare: -0.0 < 0.0, NaN above everything.
    static func javaKey(_ d: Double) -> (Int, Double, Int) {
        if d.isNaN { return (1, 0, 0) }
        return (0, d, d == 0 && d.sign == .minus ? 0 : 1)
    }

    static func aggregate(_ a: AggregateSpec, _ records: [Record]) -> Value {
        guard let arg = a.argument else { return .int(Int64(records.count)) }
        let values = records.sorted { $0.arrival < $1.arrival }.compactMap { r -> (Value, Int64, Int)? in
            let v = argument(arg, r.row)
            return v.isNull ? nil : (v, r.time, r.arrival)
        }
        switch a.function {
        case .count: return .int(Int64(values.count))
        case .countDistinct: return .int(Int64(Set(values.map(\.0)).count))
        default: break
        }
        guard !values.isEmpty else { return .null }
        switch a.function {
        case .sum, .avg:
            if case .int = values[0].0, a.function == .sum {
                return .int(values.reduce(Int64(0)) { acc, v in if case .int(let x) = v.0 { acc &+ x } else { acc } })
            }
            let sum = values.reduce(0.0) { acc, v in
                switch v.0 {
                case .int(let x): acc + Double(x)
                case .float(let x): acc + x
                default: acc
                }
            }
            return a.function == .sum ? .float(sum) : .float(sum / Double(values.count))
        case .min: return values.map(\.0).min(by: less)!
        case .max: return values.map(\.0).max(by: less)!
        case .first: return values.min { positionLess($0, $1) }!.0
        case .last: return values.max { positionLess($0, $1) }!.0
        case .count, .countDistinct: preconditionFailure()
        }
    }

    /// The output row of a window.
    static func row(_ w: Window, _ records: [Record], aggregates: [AggregateSpec] = aggregates) -> [Value] {
        w.key + [.timestamp(w.start), .timestamp(w.end)] + aggregates.map { aggregate($0, records) }
    }

    /// Sorts windows into output order: (end, start, canonical key bytes).
    static func ordered(_ ws: [Window]) -> [Window] {
        ws.sorted { a, b in
            if a.end != b.end { return a.end < b.end }
            if a.start != b.start { return a.start < b.start }
            return KeyCodec.encode(a.key).lexicographicallyPrecedes(KeyCodec.encode(b.key))
        }
    }

    /// Sorts output rows with `keyCount` key columns into output order.
    static func ordered(rows: [[Value]], keyCount: Int) -> [[Value]] {
        rows.sorted { a, b in
            let ka = Array(a[..<keyCount]), kb = Array(b[..<keyCount])
            let ta = [a[keyCount + 1], a[keyCount], .string("")], tb = [b[keyCount + 1], b[keyCount], .string("")]
            let ea = KeyCodec.encode(ta) + KeyCodec.encode(ka), eb = KeyCodec.encode(tb) + KeyCodec.encode(kb)
            return ea.lexicographicallyPrecedes(eb)
        }
    }

    // MARK: Random input

    static func randomRows(_ rng: inout SeededRandom, count: Int, nullTimes: Bool = false) -> [[Value]] {
        let strings = ["", "a", "ab", "b", "ü", "a\u{0}b"]
        return (0..<count).map { _ in
            let k: Value = Int.random(in: 0..<8, using: &rng) == 0 ? .null : .int(Int64.random(in: -2...3, using: &rng))
            let ts: Value = nullTimes && Int.random(in: 0..<25, using: &rng) == 0 ? .null : .timestamp(Int64.random(in: -60...140, using: &rng))
            let x: Value = Int.random(in: 0..<4, using: &rng) == 0 ? .null : .int(Int64.random(in: -5...5, using: &rng))
            let f: Value = Int.random(in: 0..<4, using: &rng) == 0 ? .null : .float(Double(Int.random(in: -5...5, using: &rng)) / 2)
            let s: Value = Int.random(in: 0..<4, using: &rng) == 0 ? .null : .string(strings.randomElement(using: &rng)!)
            let b: Value = Int.random(in: 0..<3, using: &rng) == 0 ? .null : .bool(Bool.random(using: &rng))
            return [k, ts, x, f, s, b]
        }
    }

    static func randomWindow(_ rng: inout SeededRandom, sessions: Bool = true) -> WindowSpec {
        switch Int.random(in: 0..<(sessions ? 3 : 2), using: &rng) {
        case 0: return .tumbling(sizeMs: Int64.random(in: 1...25, using: &rng))
        case 1:
            let size = Int64.random(in: 1...30, using: &rng)
            return .sliding(sizeMs: size, slideMs: Int64.random(in: 1...size, using: &rng))
        default: return .session(gapMs: Int64.random(in: 1...15, using: &rng))
        }
    }
}
