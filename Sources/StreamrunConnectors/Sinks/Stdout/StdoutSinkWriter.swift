import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunRuntime

/// Writes every batch to standard output as one write (``StandardOutput``), so lines of concurrent
/// subtasks never interleave mid-line. A write that failed may have printed part of the batch, so it
/// is never retried in place.
final class StdoutSinkWriter: RetryableSinkWriter {
    let id: NodeID
    let encoder: SinkEncoding
    let output: StandardOutput
    var buffer: [UInt8] = []
    var wroteHeader = false

    init(id: NodeID, encoder: SinkEncoding, output: StandardOutput) {
        self.id = id
        self.encoder = encoder
        self.output = output
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        buffer.removeAll(keepingCapacity: true)
        if !wroteHeader, let h = encoder.fileHeader {
            buffer.append(contentsOf: h)
            wroteHeader = true
        }
        encoder.encode(batch, rows: nil, into: &buffer)
        try await output.write(buffer, sink: id)
    }

    var retryAction: SinkRetry { .impossible }

    func resume(context: OperatorContext) async throws {}
}
