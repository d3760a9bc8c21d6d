// TEMPORARY: replaced by the formats branch.
import StreamrunCore
import StreamrunPlan

public protocol RecordDecoder: Sendable {
    var schema: Schema { get }
    mutating func beginFile()
    mutating func decode(_ buffer: UnsafeBufferPointer<UInt8>, atEOF: Bool, maxRows: Int,
                         into builder: inout BatchBuilder) throws(DecodeError) -> DecodeProgress
}
public struct DecodeProgress { public var bytes: Int; public var lines: Int; public var rows: Int }
public struct DecodeError: Error { public var message: String; public var line: Int; public var column: Int? }
public enum RecordDecoders { public static func make(for source: SourceSpec) -> any RecordDecoder { fatalError() } }
public struct NexmarkGenerator: Sendable {
    public init(seed: UInt64, eventsPerSecond: Int = 10_000) {}
    public func appendBid(_ n: Int64, into builder: inout BatchBuilder) {}
}
enum Formats { static func encoder(for sink: SinkPlan, schema: Schema) -> any BatchEncoding { fatalError() } }
