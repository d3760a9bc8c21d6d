#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import StreamrunCore
import StreamrunIO
import Synchronization

/// Standard output as the stdout sink's writers share it: every batch is written whole, in order,
/// by one serial dispatch queue — off the task threads, so a reader that stops reading blocks that
/// queue and never the job's tasks, and a stop or a failure can still end the job.
///
/// - Important: ``write(_:sink:)`` suspends until the bytes are written, or throws when the reader
///   went away (`EPIPE`: a user error naming the sink) or the calling task is cancelled (the write
///   itself may still finish later).
final class StandardOutput: Sendable {
    /// The process's standard output, shared by every stdout sink.
    static let shared = StandardOutput()

    private let queue = DispatchQueue(label: "streamrun.stdout")
    private let fd: Int32

    init(fd: Int32 = STDOUT_FILENO) { self.fd = fd }

    func write(_ bytes: [UInt8], sink: NodeID) async throws {
        let once = ResumeOnce()
        let outcome: StreamrunError? = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<StreamrunError?, any Error>) in
                once.set(c)
                queue.async { [fd] in once.resume(returning: Self.writeAll(fd, bytes, sink: sink)) }
            }
        } onCancel: {
            once.resume(throwing: CancellationError())
        }
        if let outcome { throw outcome }
    }

    /// Blocks until every byte is written; the error, if any.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], sink: NodeID) -> StreamrunError? {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + done, $0.count - done) }
            if n >= 0 {
                done += n
            } else if errno == EPIPE {
                return StreamrunError(.writeFailed, "sink \"\(sink)\": standard output was closed by its reader (for example `| head`); "
                    + "the job ends like on any failing sink")
            } else if errno != EINTR {
                return StreamrunError(.writeFailed, "sink \"\(sink)\": cannot write standard output: \(FileIO.errorText())",
                                      retry: .transient)
            }
        }
        return nil
    }
}

/// A continuation resumed by whichever comes first: the write, or the task's cancellation.
private final class ResumeOnce: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<StreamrunError?, any Error>?, early: Result<StreamrunError?, any Error>?)>((nil, nil))

    func set(_ c: CheckedContinuation<StreamrunError?, any Error>) {
        let early = state.withLock { s -> Result<StreamrunError?, any Error>? in
            if let e = s.early { return e }
            s.continuation = c
            return nil
        }
        if let early { c.resume(with: early) }
    }

    func resume(returning value: StreamrunError?) { finish(.success(value)) }
    func resume(throwing error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<StreamrunError?, any Error>) {
        let c = state.withLock { s -> CheckedContinuation<StreamrunError?, any Error>? in
            defer { s.continuation = nil }
            if s.continuation == nil && s.early == nil { s.early = result }
            return s.continuation
        }
        c?.resume(with: result)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
