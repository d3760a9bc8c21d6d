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

/// A running job's HTTP control endpoint: a Hummingbird server on `host:port` (port 0 picks a free
/// port) serving ``ControlRoutes`` for one ``JobLauncher``.
///
/// A process running a job hosts it with ``JobHost``; ``serve(_:)`` runs the server alongside any
/// body instead (what tests use): once bound, it publishes the address in
/// `<launcher.stateDirectory>/control.json` (``ControlFile``) and calls the body with the URL; when
/// the body returns it removes the file and shuts the server down gracefully, so an answer in
/// flight (the one to `POST /stop`) still reaches its client.
///
/// - Important: Both fail before running the job or the body when the address cannot be bound (a
///   port in use, an unknown host).
public struct ControlServer: Sendable {
    public let launcher: JobLauncher
    public let host: String
    public let port: Int
    let logger: Logger

    public init(launcher: JobLauncher, host: String = "127.0.0.1", port: Int = 0) {
        self.launcher = launcher
        self.host = host
        self.port = port
        var logger = Logger(label: "streamrun.control")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// The Hummingbird application; `onListening` gets the bound port.
    func application(onListening: @escaping @Sendable (Int) -> Void) -> some Service {
        Application(
            router: ControlRoutes.router(launcher: launcher, metrics: JobMetricsBridge(launcher: launcher)),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves while `body` runs, passing it the endpoint's URL (`http://127.0.0.1:PORT`).
    public func serve<T: Sendable>(_ body: (String) async throws(StreamrunError) -> T) async throws(StreamrunError) -> T {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = application(onListening: { port in
            portSink.yield(port)
            portSink.finish()
        })
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let outcome: Result<T, StreamrunError>
        do {
            outcome = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    defer { portSink.finish() }
                    try await services.run()
                }
                var it = ports.makeAsyncIterator()
                guard let bound = await it.next() else {
                    try await tasks.next()  // the server's error says why it stopped
                    throw StreamrunError(.internalError, "the control endpoint stopped before it listened", retry: .internal)
                }
                let result: Result<T, StreamrunError>
                do throws(StreamrunError) {
                    let url = url(port: bound)
                    try ControlFile.write(ControlAddress(url: url, pid: getpid()), in: launcher.stateDirectory)
                    defer { ControlFile.remove(in: launcher.stateDirectory) }
                    result = .success(try await body(url))
                } catch {
                    result = .failure(error)
                }
                await services.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                return result
            }
        } catch let e as StreamrunError {
            throw e
        } catch {
            throw bindError(error)
        }
        return try outcome.get()
    }

    /// The error for a server that could not start.
    func bindError(_ error: any Error) -> StreamrunError {
        StreamrunError(.usage, "cannot start the control endpoint on \(host):\(port): \(error)", location: "control")
    }

    /// The URL clients use: a wildcard address is reached through loopback.
    func url(port: Int) -> String {
        switch host {
        case "0.0.0.0": return "http://127.0.0.1:\(port)"
        case "::", "[::]": return "http://[::1]:\(port)"
        default: return host.contains(":") && !host.hasPrefix("[") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }
}
