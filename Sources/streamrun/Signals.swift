#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// SIGINT and SIGTERM: the first asks the running job to stop gracefully (sources stop, the pipeline
/// drains, output is committed); a second one exits at once.
///
/// The handler is installed with `sigaction` before anything else runs and only writes the signal
/// number to a pipe (async-signal-safe); a dedicated thread reads the pipe and acts. Blocking signals
/// and calling `sigwait` is not enough here: libdispatch's worker threads, which run Swift
/// concurrency, unblock every signal, so a signal could land on one of them and kill the process.
enum Signals {
    static let handler = Mutex<(@Sendable () -> Void)?>(nil)

    static func install() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        signalPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = signalToPipe
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        signal(SIGPIPE, SIG_IGN)
        let thread = Thread {
            var count = 0
            while true {
                var sig: UInt8 = 0
                let n = read(readEnd, &sig, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                count += 1
                if count == 1, let h = handler.withLock({ $0 }) {
                    h()
                } else {
                    exit(128 + Int32(sig))
                }
            }
        }
        thread.start()
    }

    /// What the first signal does while a job runs.
    static func onStop(_ h: @escaping @Sendable () -> Void) { handler.withLock { $0 = h } }
}

/// Written once, before the handler is installed; read only by the handler.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

private func signalToPipe(_ sig: Int32) {
    var b = UInt8(truncatingIfNeeded: sig)
    _ = write(signalPipeWriteEnd, &b, 1)
}
