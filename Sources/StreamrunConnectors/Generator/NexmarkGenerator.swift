import StreamrunCore
import StreamrunPlan

/// A deterministic generator of the Nexmark bid stream, modelled on the reference Nexmark generator
/// (Apache Beam's, which Flink's nexmark benchmark uses).
///
/// Bid `n` (0-based) is a pure function of `(seed, n)`: each bid draws from its own counter-based
/// random stream, so any set of bids can be generated in any order or on any number of splits, and
/// putting them together by `n` always gives the same stream.
///
/// The reference interleaves people, auctions and bids (1 : 3 : 46 in every 50 events); this
/// generator emits only the bids, but numbers them as the reference does, so auction and bidder ids
/// grow at the same rate. Like the reference:
/// - `auction`: with probability 1/2 the current "hot" auction (a multiple of 100 just below the
///   newest auction id), else one of the ~100 auctions in flight or up to 10 ahead; ids from 1000.
/// - `bidder`: with probability 3/4 the hot bidder, else one of the 1000 most recent people (or
///   up to 10 ahead); ids from 1000.
/// - `price`: `round(100 × 10^(6u))` for uniform `u`: log-uniform between 100 and 100,000,000.
/// - `channel` and `url`: with probability 1/2 one of "Google", "Facebook", "Baidu", "Apple", else
///   `channel-N` for N < 10,000. Each channel has a fixed URL such as
///   `https://www.nexmark.com/abc/de_f/ghi/item.htm?query=1`, most with `&channel_id=…`.
/// - `extra`: 30 to 49 random lowercase letters of padding, so a JSONL line averages ~216 bytes
///   (the reference pads more, for a binary encoding).
///
/// Event time is `baseTime + n × 1000 / eventsPerSecond` (integer milliseconds): monotone in `n`
/// with no jitter, so a split read in order has in-order event time.
///
/// - Important: The stream of a seed is a contract that golden outputs depend on: changing what is
///   drawn, in which order, or how a price is computed changes every result downstream.
///   `GeneratorNexmarkTests.streamIsPinned` guards it.
public struct NexmarkGenerator: Sendable {
    /// 2024-01-01T00:00:00Z.
    public static let defaultBaseTime: Int64 = 1_704_067_200_000
    public static let hotChannels = ["Google", "Facebook", "Baidu", "Apple"]
    /// The bid schema (`SourceSpec.nexmarkBidSchema`); `appendBid` fills these columns in this order.
    public static var schema: Schema { SourceSpec.nexmarkBidSchema }

    public let seed: UInt64
    /// Events per second of event time.
    public let eventsPerSecond: Int
    /// Event time of bid 0, epoch milliseconds.
    public let baseTime: Int64

    /// Channel names and URLs: the 4 hot channels first, then `channel-0` … `channel-9999`.
    let channels: ByteStrings
    let urls: ByteStrings

    public init(seed: UInt64, eventsPerSecond: Int = 10_000, baseTime: Int64 = NexmarkGenerator.defaultBaseTime) {
        precondition(eventsPerSecond > 0, "NexmarkGenerator: eventsPerSecond must be positive")
        self.seed = seed
        self.eventsPerSecond = eventsPerSecond
        self.baseTime = baseTime
        (channels, urls) = Self.channelTables(seed: seed)
    }

    /// The event time of bid `n`, epoch milliseconds.
    @inline(__always)
    public func dateTime(_ n: Int64) -> Int64 {
        let rate = Int64(eventsPerSecond)
        return baseTime + n / rate * 1000 + n % rate * 1000 / rate
    }

    /// Appends bid `n` as one row of `builder`, whose schema must be ``schema``.
    public func appendBid(_ n: Int64, into builder: inout BatchBuilder) {
        assert(builder.schema == Self.schema, "NexmarkGenerator: the builder's schema is not the bid schema")
        channels.bytes.withUnsafeBufferPointer { channelBytes in
            urls.bytes.withUnsafeBufferPointer { urlBytes in
                appendBid(n, channelBytes, urlBytes, into: &builder)
            }
        }
    }

    /// Appends bids `range.lowerBound ..< range.upperBound`, in order, to `builder`.
    public func appendBids(_ range: Range<Int64>, into builder: inout BatchBuilder) {
        precondition(builder.schema == Self.schema, "NexmarkGenerator: the builder's schema is not the bid schema")
        channels.bytes.withUnsafeBufferPointer { channelBytes in
            urls.bytes.withUnsafeBufferPointer { urlBytes in
                for n in range { appendBid(n, channelBytes, urlBytes, into: &builder) }
            }
        }
    }

    /// Bid `n` as values (tests and cold paths).
    public func bid(_ n: Int64) -> [Value] {
        var builder = BatchBuilder(schema: Self.schema, capacity: 1)
        appendBid(n, into: &builder)
        return builder.finish().row(0, schema: Self.schema)
    }

    /// A batch of bids `range`.
    public func batch(_ range: Range<Int64>) -> RecordBatch {
        var builder = BatchBuilder(schema: Self.schema, capacity: range.count)
        appendBids(range, into: &builder)
        return builder.finish()
    }
}
