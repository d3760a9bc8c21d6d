/// Saturating arithmetic on raw epoch milliseconds, for per-row loops that work on event-time
/// columns (`[Int64]`) without wrapping every value: window bounds and deadlines near `Int64.min` /
/// `Int64.max` clamp instead of trapping. ``EventTime/adding(_:)`` is the typed form.
extension EventTime {
    /// `a + b`, saturating at `Int64.min` and `Int64.max`.
    @inlinable public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : r
    }

    /// `a * b`, saturating at `Int64.min` and `Int64.max`.
    @inlinable public static func multiply(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? ((a < 0) != (b < 0) ? .min : .max) : r
    }

    /// The last millisecond inside a window ending (exclusive) at `end`: Flink's `maxTimestamp()`.
    @inlinable public static func maxTimestamp(end: Int64) -> Int64 { add(end, -1) }
}
