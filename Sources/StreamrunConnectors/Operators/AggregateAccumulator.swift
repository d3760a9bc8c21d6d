import StreamrunCore

/// A non-null aggregate argument value, as an accumulator keeps it (strings as UTF-8 bytes).
enum AggValue: Hashable, Sendable {
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string([UInt8])

    /// The order `min` and `max` use: numbers by value, strings bytewise, `false < true`; for floats
    /// Java's `Double.compare` (`-0.0 < 0.0`, NaN above everything).
    static func less(_ a: AggValue, _ b: AggValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.float(let x), .float(let y)): return floatLess(x, y)
        case (.bool(let x), .bool(let y)): return !x && y
        case (.string(let x), .string(let y)): return x.lexicographicallyPrecedes(y)
        default: preconditionFailure("AggValue.less: kinds differ")
        }
    }

    /// Java's `Double.compare(a, b) < 0`.
    @inline(__always) static func floatLess(_ a: Double, _ b: Double) -> Bool {
        if a < b { return true }
        if a > b { return false }
        if a.isNaN { return false }
        if b.isNaN { return true }
        return a.sign == .minus && b.sign == .plus  // -0.0 < 0.0
    }

    /// The member a `count_distinct` set stores: floats by canonical bits (one NaN, `-0.0 == 0.0`).
    static func distinctMember(_ v: AggValue) -> AggValue {
        guard case .float(let d) = v else { return v }
        if d.isNaN { return .int(Int64(bitPattern: Double.nan.bitPattern)) }
        return .int(Int64(bitPattern: (d == 0 ? 0.0 : d).bitPattern))
    }
}

/// One aggregate's running state for one window: incremental, never the records themselves.
///
/// `first`/`last` keep the value with the smallest/largest (event time, value, arrival sequence):
/// ties in event time go to the smaller/larger value, so the result never depends on the order in
/// which parallel inputs delivered their records, and merging two sessions is order-independent.
enum Accumulator: Sendable, Equatable {
    /// `count()` (rows) and `count(x)` (non-null x).
    case count(Int64)
    case sumInt(Int64, seen: Bool)
    case sumFloat(Double, seen: Bool)
    case avg(sum: Double, count: Int64)
    /// `min`/`max`: nil until a non-null value arrives.
    case extreme(AggValue?)
    /// `first`/`last`: the value and its (event time, arrival sequence).
    case positioned(AggValue?, time: Int64, seq: Int64)
    case distinct(Set<AggValue>)
}
