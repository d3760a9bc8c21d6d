/// A point in event time: milliseconds since the Unix epoch (UTC) on the time axis of the records,
/// as opposed to the wall clock, a checkpoint id, a count or a byte offset.
///
/// Records keep their event times in plain `[Int64]` columns; `EventTime` is what crosses an API
/// boundary (a watermark on a channel, a key's last write time in keyed state, the highest event time
/// a split has seen), so none of those plain integers can be passed where an event time goes.
///
/// ``min`` means "nothing seen yet" (−∞) and ``max`` "end of input" (+∞). Arithmetic saturates at
/// those bounds instead of trapping, so window bounds and deadlines near either end clamp.
///
/// Every member is `@inlinable` and the value is one `Int64`, so hot loops can convert freely with
/// ``init(milliseconds:)`` and ``milliseconds`` at no cost. Formats on disk and on the wire store the
/// raw ``milliseconds``; ``Codable`` encodes the bare number.
public struct EventTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z; `Int64.min` and `Int64.max` are −∞ and +∞.
    public let milliseconds: Int64

    @inlinable public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Nothing seen yet (−∞): the watermark before any record, the highest time of an empty split.
    @inlinable public static var min: EventTime { EventTime(milliseconds: .min) }
    /// End of input (+∞): every window may fire.
    @inlinable public static var max: EventTime { EventTime(milliseconds: .max) }

    @inlinable public static func < (a: EventTime, b: EventTime) -> Bool { a.milliseconds < b.milliseconds }
    @inlinable public static func == (a: EventTime, b: EventTime) -> Bool { a.milliseconds == b.milliseconds }
    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(milliseconds) }

    /// This time plus `milliseconds` (negative goes back), saturating at ``min`` and ``max``.
    @inlinable public func adding(_ milliseconds: Int64) -> EventTime {
        EventTime(milliseconds: Self.add(self.milliseconds, milliseconds))
    }

    /// `-inf`, `+inf`, or the ISO-8601 instant (`2024-01-01T00:00:00.000Z`).
    public var description: String { Self.describe(self) }

    /// Human-readable rendering for status lines and plans: `-inf`, `+inf` or ISO-8601.
    public static func describe(_ t: EventTime) -> String {
        if t == .min { return "-inf" }
        if t == .max { return "+inf" }
        return Timestamps.iso8601(t.milliseconds)
    }
}

/// A watermark: the claim that no record with an event time at or before it follows on this input.
///
/// It is the same type as ``EventTime`` rather than a struct of its own. A watermark is a position on
/// the event-time axis, and what operators do with it is compare it with record times and window
/// bounds (`end - 1 + allowedLateness <= watermark`); a separate type would need a conversion at every
/// such comparison without ruling out a real mix-up. The mix-ups worth ruling out — a checkpoint id,
/// a count, a byte offset or a duration where a watermark goes — are all plain `Int64`s, which neither
/// name accepts. `Watermark` names the role at the boundaries where the value is one
/// (``StreamElement/watermark(_:)``, `processWatermark`, the trackers).
public typealias Watermark = EventTime

extension EventTime: ExpressibleByIntegerLiteral {
    /// Epoch milliseconds, so tests and examples can write `advance(to: 1_000)`.
    @inlinable public init(integerLiteral value: Int64) { self.milliseconds = value }
}

extension EventTime: Codable {
    /// The bare number of epoch milliseconds: the shape the checkpoint manifest's `watermarks` and
    /// the status JSON have always had. Never change it.
    @inlinable public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    @inlinable public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(milliseconds)
    }
}
