import Benchmark
import StreamrunConnectors
import StreamrunCore
import StreamrunPlan

/// Record formats: JSONL decoding into batches, and JSONL and CSV encoding of batches.
enum FormatBenchmarks {
    static func register() {
        Benchmark("Decode JSONL bids", configuration: .micro()) { benchmark in
            let input = Fixtures.bidsJSONL
            for _ in benchmark.scaledIterations {
                try benchmark.recordingRows { () throws(DecodeError) in
                    let rows = try decodeAll(input)
                    precondition(rows == Fixtures.bidCount, "Decode JSONL bids: decoded \(rows) rows, expected \(Fixtures.bidCount)")
                    return rows
                }
            }
        } setup: {
            _ = Fixtures.bidsJSONL
        }

        for format in DataFormat.allCases {
            Benchmark("Encode \(format.rawValue.uppercased()) bids", configuration: .micro()) { benchmark in
                let batches = Fixtures.bidBatches
                let encoder = RecordEncoders.make(format, columns: EncoderColumns(schema: Fixtures.schema))
                // One buffer reused across batches, as a sink reuses its write buffer.
                var out: [UInt8] = []
                out.reserveCapacity(Fixtures.batchRows * 256)
                for _ in benchmark.scaledIterations {
                    benchmark.recordingRows {
                        var rows = 0
                        for batch in batches {
                            out.removeAll(keepingCapacity: true)
                            encoder.encode(batch, into: &out)
                            blackHole(out.count)
                            rows += batch.count
                        }
                        return rows
                    }
                }
            } setup: {
                _ = Fixtures.bidBatches
            }
        }
    }

    /// Decodes all of `input` as the engine's file source does: up to ``Fixtures/batchRows`` rows
    /// per call, one batch per call. Returns the rows decoded.
    static func decodeAll(_ input: [UInt8]) throws(DecodeError) -> Int {
        var decoder = RecordDecoders.make(.jsonl, schema: Fixtures.schema)
        decoder.beginFile()
        var builder = BatchBuilder(schema: Fixtures.schema, capacity: Fixtures.batchRows)
        return try input.withUnsafeBufferPointer { buffer throws(DecodeError) in
            var position = 0
            var rows = 0
            while position < buffer.count {
                let progress = try decoder.decode(
                    UnsafeBufferPointer(rebasing: buffer[position...]), atEOF: true,
                    maxRows: Fixtures.batchRows, into: &builder
                )
                precondition(progress.bytes > 0, "Decode JSONL bids: no progress at byte \(position)")
                position += progress.bytes
                rows += progress.rows
                blackHole(builder.finish())
            }
            return rows
        }
    }
}
