import Dispatch
import Foundation
import Synchronization

/// A task executor with a thread of its own. Work that must run while every cooperative thread is
/// busy — the signal listener, whose second signal has to exit even while operators keep both
/// cores in a long batch, and the stop deadline — prefers it (`withTaskExecutorPreference`), so it
/// is never starved.
public final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    /// The one for a job's control work: signals, stop deadlines.
    public static let control = DedicatedThreadExecutor(name: "streamrun.control")

    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    public init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    private func loop() {
        while true {
            ready.wait()
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
