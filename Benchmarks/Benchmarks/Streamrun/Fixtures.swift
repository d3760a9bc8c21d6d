import StreamrunConnectors
import StreamrunCore
import StreamrunPlan

/// In-memory inputs for the micro benchmarks, built once per process on first use.
///
/// Touch them from a benchmark's `setup` so that building them is not measured.
enum Fixtures {
    /// Bids in the micro benchmarks' fixture.
    static let bidCount = 100_000
    /// Rows per batch: what the engine's sources emit.
    static let batchRows = 2048

    static let schema = NexmarkGenerator.schema

    /// Bids 0 ..< ``bidCount`` (seed 1) in batches of ``batchRows`` rows, the last one shorter.
    static let bidBatches: [RecordBatch] = {
        let generator = NexmarkGenerator(seed: 1)
        return stride(from: 0, to: bidCount, by: batchRows).map { start in
            generator.batch(Int64(start)..<Int64(min(start + batchRows, bidCount)))
        }
    }()

    /// The same bids as JSON Lines text (about 200 bytes a line).
    static let bidsJSONL: [UInt8] = {
        let encoder = RecordEncoders.make(.jsonl, columns: EncoderColumns(schema: schema))
        var out: [UInt8] = []
        for batch in bidBatches { encoder.encode(batch, into: &out) }
        return out
    }()
}
