import AsyncHTTPClient
import Foundation
import StreamrunJob
import StreamrunCore

/// Talks to a running job's control endpoint over HTTP (AsyncHTTPClient): what `streamrun status`,
/// `savepoint` and `stop` use.
///
/// Every request carries `Authorization: Bearer <token>` when the client has the token (read from
/// control.json by ``locate(job:stateDirectory:)``).
///
/// - Important: `savepoint` and `stop` wait until the job has finished the savepoint or the stop, up
///   to `longTimeout`. An error answer from the job is rethrown as the job's ``StreamrunError``.
public struct ControlClient: Sendable {
    /// `http://127.0.0.1:PORT`.
    public let url: String
    /// The run's token (``ControlAccess``); without it the job refuses `POST` requests.
    public var token: String?
    public var timeout: Duration = .seconds(30)
    public var longTimeout: Duration = .seconds(3600)
    /// The job's name and state directory, when found by ``locate(job:stateDirectory:)``: a request
    /// cut off because the job ended is then reported as such.
    var job: (name: String, stateDirectory: String)?

    public init(url: String) { self.url = url }

    /// The endpoint of the job whose state directory is `stateDirectory`, from its control.json.
    ///
    /// - Important: Throws `.notRunning` when there is no control.json or its process is gone.
    public static func locate(job: String, stateDirectory: String) throws(StreamrunError) -> ControlClient {
        guard let address = ControlFile.read(in: stateDirectory) else {
            throw StreamrunError(.notRunning, "job \"\(job)\" is not running (no control endpoint in \(stateDirectory))")
        }
        var client = ControlClient(url: address.url)
        client.token = address.token
        client.job = (job, stateDirectory)
        return client
    }

    /// The raw JSON of `GET /job`.
    public func statusJSON() async throws(StreamrunError) -> [UInt8] { try await send("GET", "/job") }

    public func status() async throws(StreamrunError) -> JobStatus { try decode(JobStatus.self, await statusJSON()) }

    public func checkpoints() async throws(StreamrunError) -> ControlMessages.CheckpointsResponse {
        try decode(ControlMessages.CheckpointsResponse.self, await send("GET", "/checkpoints"))
    }

    /// Takes a savepoint and returns its directory. An absolute `directory` may be anywhere (it is
    /// sent with `outsideRoot`); a relative one is taken below the job's savepoint root.
    public func savepoint(directory: String? = nil) async throws(StreamrunError) -> String {
        let body = try encode(ControlMessages.SavepointRequest(dir: directory, outsideRoot: Self.outsideRoot(directory)))
        return try decode(ControlMessages.SavepointResponse.self, await send("POST", "/savepoints", body: body, long: true)).path
    }

    /// Stops the job; returns the savepoint's directory when one was asked for (`directory` as in
    /// ``savepoint(directory:)``).
    public func stop(savepoint: Bool, directory: String? = nil) async throws(StreamrunError) -> String? {
        let body = try encode(ControlMessages.StopRequest(savepoint: savepoint, dir: directory, outsideRoot: Self.outsideRoot(directory)))
        return try decode(ControlMessages.StopResponse.self, await send("POST", "/stop", body: body, long: true)).savepoint
    }

    static func outsideRoot(_ directory: String?) -> Bool? { directory?.hasPrefix("/") == true ? true : nil }

    /// Prometheus text.
    public func metrics() async throws(StreamrunError) -> String {
        String(decoding: try await send("GET", "/metrics"), as: UTF8.self)
    }

    /// One request; a non-2xx answer becomes the job's error.
    public func send(_ method: String, _ path: String, body: [UInt8]? = nil, long: Bool = false) async throws(StreamrunError) -> [UInt8] {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let wait = long ? longTimeout : timeout
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await Self.http.execute(request, timeout: .nanoseconds(Int64(wait.components.seconds) * 1_000_000_000))
            status = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        } catch {
            if let job, ControlFile.read(in: job.stateDirectory)?.url != url {
                throw StreamrunError(.notRunning, "job \"\(job.name)\" ended before it answered (its control endpoint at \(url) closed)")
            }
            throw StreamrunError(.notRunning, "cannot reach the job's control endpoint at \(url): \(error)", retry: .transient)
        }
        guard (200..<300).contains(status) else {
            if let e = try? JSONDecoder().decode(ControlMessages.ErrorResponse.self, from: Data(bytes)) { throw e.streamrunError }
            throw StreamrunError(.internalError, "\(method) \(url)\(path) answered \(status): \(String(decoding: bytes, as: UTF8.self))",
                                 retry: .internal)
        }
        return bytes
    }

    /// One client for the process (never shut down), failing at once when nothing listens: AsyncHTTPClient
    /// otherwise retries a refused connection until the request's deadline.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func encode(_ value: some Encodable) throws(StreamrunError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw StreamrunError(.internalError, "cannot encode the request: \(error)", retry: .internal)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(StreamrunError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw StreamrunError(.internalError, "unexpected answer from \(url): \(error)", retry: .internal)
        }
    }
}
