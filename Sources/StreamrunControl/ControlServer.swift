#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
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
/// Every request passes ``ControlAccess`` (Host check, token) first, and ``Limits`` bound what
/// clients can hold: connections, idle time, time to send a request.
///
/// - Important: Both fail before running the job or the body when the address cannot be bound (a
///   port in use, an unknown host).
public struct ControlServer: Sendable {
    /// What one client may hold of the endpoint, so idle or half-sent connections cannot exhaust the
    /// job's file descriptors.
    public struct Limits: Sendable {
        /// Connections open at once; more wait, unaccepted, until one closes.
        public var maxConnections: Int
        /// A connection on which nothing arrives for this long is closed: one that sends nothing,
        /// part of a request, or nothing more after its last answer.
        public var idleTimeout: Duration
        /// A request must arrive whole (head and body) within this long of its head.
        public var requestTimeout: Duration

        public init(maxConnections: Int = 32, idleTimeout: Duration = .seconds(30), requestTimeout: Duration = .seconds(10)) {
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
        }
    }

    public let launcher: JobLauncher
    public let host: String
    public let port: Int
    public let limits: Limits
    /// Host check and token (a new random token per server: per run).
    public let access: ControlAccess
    let logger: Logger

    public init(launcher: JobLauncher, host: String = "127.0.0.1", port: Int = 0, limits: Limits = Limits()) {
        self.launcher = launcher
        self.host = host
        self.port = port
        self.limits = limits
        self.access = ControlAccess(host: host, token: ControlAccess.generateToken())
        var logger = Logger(label: "streamrun.control")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// The token requests must carry (``ControlAccess``), as control.json holds it.
    public var token: String { access.token }

    /// The Hummingbird application; `onListening` gets the bound port.
    func application(onListening: @escaping @Sendable (Int) -> Void) -> some Service {
        let access = access
        let requestTimeout = TimeAmount(limits.requestTimeout)
        return Application(
            router: ControlRoutes.router(launcher: launcher, metrics: JobMetricsBridge(launcher: launcher), access: access),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [RequestReadTimeoutHandler(timeout: requestTimeout)],
                idleTimeout: TimeAmount(limits.idleTimeout))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil,
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                access.bind(port: port)
                onListening(port)
            },
            logger: logger)
    }

    /// control.json's content for the endpoint at `url`.
    func address(url: String) -> ControlAddress { ControlAddress(url: url, pid: getpid(), token: token) }

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
                    try ControlFile.write(address(url: url), in: launcher.stateDirectory)
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
