#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunRuntime

/// Writes every batch to standard output with one write(2) per batch, so lines of concurrent
/// subtasks never interleave mid-line.
final class StdoutSinkWriter: StreamOperator {
    let encoder: SinkEncoding
    var buffer: [UInt8] = []
    var wroteHeader = false

    init(encoder: SinkEncoding) { self.encoder = encoder }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        buffer.removeAll(keepingCapacity: true)
        if !wroteHeader, let h = encoder.fileHeader {
            buffer.append(contentsOf: h)
            wroteHeader = true
        }
        encoder.encode(batch, rows: nil, into: &buffer)
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + done, $0.count - done) }
            if n >= 0 {
                done += n
            } else if errno == EPIPE {
                // The reader went away (e.g. `| head`): stop quietly, like other Unix tools.
                exit(0)
            } else if errno != EINTR {
                throw StreamrunError(.writeFailed, "cannot write standard output: \(FileIO.errorText())")
            }
        }
    }
}
