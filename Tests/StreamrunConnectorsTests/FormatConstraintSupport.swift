import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Decoders built from a schema written as in job.json, constraints included.
enum ConstraintTesting {
    /// The file source of a one-source job whose `schema` is `schemaJSON`, read in `format`.
    static func source(_ schemaJSON: String, format: DataFormat = .jsonl) throws -> SourceSpec {
        let text = """
            { "name": "t", "sources": [{ "id": "in", "type": "file", "path": "in", "format": "\(format.rawValue)",
              "schema": \(schemaJSON) }], "sinks": [{ "id": "out", "type": "stdout", "inputs": ["in"] }] }
            """
        return try #require(try JobLoader.parse(data: Array(text.utf8), file: "job.json").spec.sources.first)
    }

    static func decoder(_ schemaJSON: String, format: DataFormat) throws -> any RecordDecoder {
        RecordDecoders.make(for: try source(schemaJSON, format: format))
    }

    /// What decoding `text` in one call gives: the rows left in the builder, and the error if any.
    struct Outcome {
        var rows: [[Value]]
        var error: DecodeError?
    }

    static func decode(_ decoder: any RecordDecoder, _ text: String) -> Outcome {
        var decoder = decoder
        var builder = BatchBuilder(schema: decoder.schema)
        var error: DecodeError?
        do {
            _ = try Array(text.utf8).withUnsafeBufferPointer { (buffer) throws(DecodeError) in
                try decoder.decode(buffer, atEOF: true, maxRows: .max, into: &builder)
            }
        } catch let e {
            error = e
        }
        return Outcome(rows: builder.finish().rows(schema: decoder.schema), error: error)
    }

    /// Decodes all of `text`, skipping each bad record as a dead-letter queue would (from
    /// `consumed.bytes` past the record's extent); returns the rows and the errors in order.
    static func decodeSkipping(_ decoder: any RecordDecoder, _ text: String) -> (rows: [[Value]], errors: [DecodeError]) {
        var decoder = decoder
        var builder = BatchBuilder(schema: decoder.schema)
        var errors: [DecodeError] = []
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            do {
                let progress = try Array(bytes).withUnsafeBufferPointer { (buffer) throws(DecodeError) in
                    try decoder.decode(buffer, atEOF: true, maxRows: .max, into: &builder)
                }
                bytes = bytes.dropFirst(progress.bytes)
                if progress.bytes == 0 { break }
            } catch let e {
                errors.append(e)
                guard let extent = e.record, extent.bytes > 0 else { break }
                bytes = bytes.dropFirst(e.consumed.bytes + extent.bytes)
            }
        }
        return (builder.finish().rows(schema: decoder.schema), errors)
    }
}
