#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// SIGINT and SIGTERM for a process that runs a job: the first asks the job to stop gracefully, a
/// second one exits at once (status 128 + the signal).
///
/// The handler, installed with `sigaction` when the process starts, only writes the signal number to
/// a pipe (async-signal-safe); a thread of its own reads the pipe and acts. Neither libdispatch nor
/// the cooperative thread pool is involved: swift-service-lifecycle's `UnixSignalsSequence` delivers
/// signals through a dispatch queue that competes with the pool, and with operators keeping both
/// cores busy a signal reached its consumer only after 20–45 s (measured here). Blocking the signals
/// and calling `sigwait` is not enough either: libdispatch's worker threads unblock every signal.
public enum SignalListener {
    private struct State {
        var stop: (@Sendable () -> Void)?
        /// A first signal came before anyone could be told.
        var pending = false
        var count = 0
    }

    private static let state = Mutex(State())

    /// Installs the handlers; call once, as early as possible. Signals that arrive before
    /// ``onStop(_:)`` is called are kept and acted on then.
    public static func install() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        signalPipeWriteEnd.store(fds[1], ordering: .releasing)
        let readEnd = fds[0]
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = signalToPipe
        #elseif canImport(Darwin)
        action.__sigaction_u.__sa_handler = signalToPipe
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        let thread = Thread {
            while true {
                var sig: UInt8 = 0
                let n = read(readEnd, &sig, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                received(Int32(sig))
            }
        }
        thread.name = "streamrun.signals"
        thread.start()
    }

    /// What the first signal does from now on (a signal already received acts at once).
    public static func onStop(_ stop: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            s.stop = stop
            defer { s.pending = false }
            return s.pending
        }
        if now { stop() }
    }

    private static func received(_ sig: Int32) {
        let stop = state.withLock { s -> (@Sendable () -> Void)? in
            s.count += 1
            if s.count == 1 && s.stop == nil { s.pending = true }
            return s.count == 1 ? s.stop : nil
        }
        if state.withLock({ $0.count }) > 1 { exit(128 + sig) }
        stop?()
    }
}

/// Written once, before the handlers are installed; read only by the handler.
private let signalPipeWriteEnd = Atomic<Int32>(-1)

private func signalToPipe(_ sig: Int32) {
    var b = UInt8(truncatingIfNeeded: sig)
    _ = write(signalPipeWriteEnd.load(ordering: .acquiring), &b, 1)
}
