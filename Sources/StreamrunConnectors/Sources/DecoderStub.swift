// TEMPORARY: replaced by the formats branch.
import StreamrunCore

public protocol RecordDecoder {
    mutating func decode(_ buffer: UnsafeBufferPointer<UInt8>, atEOF: Bool, maxRows: Int,
                         into builder: inout BatchBuilder) throws(DecodeError) -> DecodeProgress
}
public struct DecodeProgress { public var bytes: Int; public var lines: Int; public var rows: Int }
public struct DecodeError: Error { public var message: String; public var line: Int; public var column: Int? }
