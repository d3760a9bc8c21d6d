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
import UnixSignals

/// A job as a process runs it: the job, its control endpoint and the signals that stop it, as the
/// services of one swift-service-lifecycle `ServiceGroup`.
///
/// - The control endpoint (``ControlServer``) starts first; once it listens, the job publishes its
///   address in control.json and runs.
/// - The first SIGINT or SIGTERM stops the job gracefully (``JobLauncher/requestStop()``); a second
///   one exits at once with status 128 + the signal.
/// - When the job ends, the group shuts down gracefully, last service first: the signal listener
///   stops, then the endpoint, after the answers in flight (the one to `POST /stop`) have gone out.
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
    /// - Important: Installs handlers for SIGINT and SIGTERM for as long as it runs.
    public func run() async throws(StreamrunError) -> RunSummary {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = server.application(onListening: { port in
            portSink.yield(port)
            portSink.finish()
        })
        let job = JobService(host: self, ports: ports)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: app),
                .init(service: SignalService(signals: signals, stop: server.launcher.requestStop)),
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

/// The first SIGINT or SIGTERM asks the job to stop; a second one exits at once.
private struct SignalService: Service {
    let signals: UnixSignalsSequence
    let stop: @Sendable () -> Void

    func run() async {
        var count = 0
        for await signal in signals.cancelOnGracefulShutdown() {
            count += 1
            if count > 1 { exit(128 + signal.rawValue) }
            stop()
        }
    }
}
