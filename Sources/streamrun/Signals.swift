#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// SIGINT and SIGTERM, handled on a dedicated thread with sigwait: the first asks the running job to
/// stop gracefully, a second one exits at once.
///
/// - Important: ``blockEarly()`` must run before any other thread starts, so every thread inherits the
///   blocked mask and no signal is delivered asynchronously (a missed early SIGTERM otherwise).
enum Signals {
    static let handler = Mutex<(@Sendable () -> Void)?>(nil)

    static func blockEarly() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        let blocked = set
        let thread = Thread {
            var count = 0
            while true {
                var sig: Int32 = 0
                var waitSet = blocked
                guard sigwait(&waitSet, &sig) == 0 else { continue }
                count += 1
                let h = handler.withLock { $0 }
                if count == 1, let h {
                    h()
                } else {
                    exit(128 + sig)
                }
            }
        }
        thread.start()
    }

    /// What the first signal does while a job runs.
    static func onStop(_ h: @escaping @Sendable () -> Void) { handler.withLock { $0 = h } }
}
