#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import Logging
import ServiceLifecycle
import StreamrunJob
import StreamrunCore

/// A running job's HTTP control endpoint: a Hummingbird server on `host:port` (port 0 picks a free
/// port) serving ``ControlRoutes`` for one ``JobLauncher``.
///
/// ``serve(_:)`` runs the server alongside the job: once bound, it publishes the address in
/// `<launcher.stateDirectory>/control.json` (``ControlFile``) and calls the body with the URL; when the
/// body returns it removes the file and shuts the server down gracefully, so an answer in flight
/// (the one to `POST /stop`) still reaches its client.
///
/// - Important: ``serve(_:)`` fails before running the body when the address cannot be bound (a port
///   in use, an unknown host).
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

    /// Serves while `body` runs, passing it the endpoint's URL (`http://127.0.0.1:PORT`).
    public func serve<T>(_ body: (String) async throws(StreamrunError) -> T) async throws(StreamrunError) -> T {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: ControlRoutes.router(launcher: launcher, metrics: JobMetricsBridge(launcher: launcher)),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger)
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
                let result = await Self.run(body, url: url(port: bound), stateDirectory: launcher.stateDirectory)
                await services.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                return result
            }
        } catch let e as StreamrunError {
            throw e
        } catch {
            throw StreamrunError(.usage, "cannot start the control endpoint on \(host):\(port): \(error)",
                                 location: "control", underlying: nil)
        }
        return try outcome.get()
    }

    /// Publishes control.json, runs the body, removes control.json.
    static func run<T>(_ body: (String) async throws(StreamrunError) -> T, url: String,
                       stateDirectory: String) async -> Result<T, StreamrunError> {
        do {
            try ControlFile.write(ControlAddress(url: url, pid: getpid()), in: stateDirectory)
        } catch {
            return .failure(error)
        }
        defer { ControlFile.remove(in: stateDirectory) }
        do {
            return .success(try await body(url))
        } catch {
            return .failure(error)
        }
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
