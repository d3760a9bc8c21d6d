#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import Logging
import ServiceLifecycle
import StreamrunCore
import StreamrunJob
import Synchronization

/// A job as a process runs it: the job and its control endpoint as the services of one
/// swift-service-lifecycle `ServiceGroup`, stopped by SIGINT or SIGTERM.
///
/// - The control endpoint (``ControlServer``) starts first; once it listens, the job publishes its
///   address in control.json and runs.
/// - The first SIGINT or SIGTERM stops the job gracefully (``JobLauncher/requestStop()``); a second
///   one exits at once with status 128 + the signal (``SignalListener``).
/// - When the job ends, the group shuts down gracefully: the endpoint stops after the answers in
///   flight (the one to `POST /stop`) have gone out.
public struct JobHost: Sendable {
    public let server: ControlServer
    public let statusLine: Bool
    /// Called once with the endpoint's URL, when the job is past its checks and restore (a job
    /// refused at start announces nothing).
    public let announce: @Sendable (String) -> Void
    public init(server: ControlServer, statusLine: Bool, announce: @escaping @Sendable (String) -> Void) {
        self.server = server
        self.statusLine = statusLine
        self.announce = announce
    }

    /// Runs the job to its end and returns its summary; throws its error.
    ///
    /// - Important: SIGINT and SIGTERM stop the job only when the process installed
    ///   ``SignalListener`` (the executable does, first thing).
    public func run() async throws(StreamrunError) -> RunSummary {
        let launcher = server.launcher
        // The message names where the running one answers, so `status` and `stop` can reach it.
        try launcher.acquireLock(holder: { ControlFile.read(in: launcher.stateDirectory).map { "pid \($0.pid), \($0.url)" } })
        defer { launcher.releaseLock() }
        SignalListener.onStop { launcher.requestStop() }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = server.application(onListening: { port in
            portSink.yield(port)
            portSink.finish()
        })
        let job = JobService(host: self, ports: ports)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: OnControlThread(app)),
                .init(service: job, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            logger: server.logger))
        do {
            try await group.run()
        } catch let e as StreamrunError {
            throw e
        } catch {
            throw server.bindError(error)
        }
        guard let summary = job.summary.withLock({ $0 }) else {
            throw StreamrunError(.internalError, "the job ended without a summary", retry: .internal)
        }
        return summary
    }
}

/// Runs the job once the endpoint listens; a graceful shutdown (a signal) asks it to stop.
private final class JobService: Service, Sendable {
    let host: JobHost
    let ports: AsyncStream<Int>
    let summary = Mutex<RunSummary?>(nil)

    init(host: JobHost, ports: AsyncStream<Int>) {
        self.host = host
        self.ports = ports
    }

    func run() async throws {
        var it = ports.makeAsyncIterator()
        // Nil: the endpoint failed to start, and the group reports why.
        guard let port = await it.next() else { return }
        let launcher = host.server.launcher
        let url = host.server.url(port: port)
        try ControlFile.write(host.server.address(url: url), in: launcher.stateDirectory)
        defer { ControlFile.remove(in: launcher.stateDirectory) }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: RunSummary?.self) { group in
                group.addTask {
                    if let phase = await launcher.lifecycle.waitUntilStarted(), phase != .failed { self.host.announce(url) }
                    return nil
                }
                group.addTask { try await launcher.run(statusLine: self.host.statusLine) }
                for try await result in group { if let result { self.summary.withLock { $0 = result } } }
            }
        } onGracefulShutdown: {
            launcher.requestStop()
        }
    }
}

/// Runs a service — the control endpoint — on ``DedicatedThreadExecutor/control``, so it answers
/// while the job's operators keep every cooperative thread busy.
private struct OnControlThread<Wrapped: Service>: Service {
    let wrapped: Wrapped
    init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    func run() async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor.control) { try await wrapped.run() }
    }
}
