// TEMPORARY: replaced by the formats branch.
import StreamrunCore
import StreamrunPlan

public struct NexmarkGenerator: Sendable {
    public init(seed: UInt64, eventsPerSecond: Int = 10_000) {}
    public func appendBid(_ n: Int64, into builder: inout BatchBuilder) {}
}
enum Formats { static func encoder(for sink: SinkPlan, schema: Schema) -> any BatchEncoding { fatalError() } }
