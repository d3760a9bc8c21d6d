import AsyncHTTPClient
import Foundation
import StreamrunJob
import StreamrunControl
import StreamrunCore
import StreamrunPlan
import Testing

/// A throttled generator job (minutes of input, so it is still running while a test talks to it)
/// run in process with its control endpoint on 127.0.0.1 and a free port.
struct RunningJob {
    let launcher: JobLauncher
    let url: String
    let dir: URL
    /// The run's token, as control.json holds it: every POST must carry it.
    let token: String

    /// The port the endpoint listens on.
    var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    static func text(name: String, checkpoints: Bool) -> String {
        let section = checkpoints ? #""checkpoints": { "dir": "state", "interval": "100ms" },"# : ""
        return #"""
            { "name": "\#(name)", \#(section)
              "sources": [{ "id": "bids", "type": "generator", "seed": 1, "count": 1000000, "maxRecordsPerSecond": 1000 }],
              "operators": [{ "id": "big", "type": "filter", "inputs": ["bids"], "where": "price > 100" }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["big"], "path": "out", "format": "jsonl" }] }
            """#
    }

    static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamrun-control-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func launcher(name: String, checkpoints: Bool, text: String? = nil) throws -> (JobLauncher, URL) {
        let dir = try tempDir(name)
        let plan = try JobLoader.parse(data: Array((text ?? Self.text(name: name, checkpoints: checkpoints)).utf8), file: "job.json")
            .resolvingPaths(relativeTo: dir.path)
        return (JobLauncher(plan: plan, options: .init(restartDelayMs: 100, jobDirectory: dir.path)), dir)
    }

    /// Runs the job and its endpoint while `body` runs, then asks the job to stop (if `body` did not)
    /// and returns how the run ended. `body`'s own failure is rethrown. `text` replaces the default
    /// job; `prepare` runs before the job starts (to write its input); `host` and `limits` configure
    /// the endpoint.
    @discardableResult
    static func with(name: String, checkpoints: Bool = false, text: String? = nil, host: String = "127.0.0.1",
                     limits: ControlServer.Limits = .init(), prepare: (JobLauncher, URL) throws -> Void = { _, _ in },
                     _ body: (RunningJob) async throws -> Void) async throws -> Result<RunSummary, StreamrunError> {
        let (launcher, dir) = try launcher(name: name, checkpoints: checkpoints, text: text)
        try prepare(launcher, dir)
        var failure: (any Error)?
        let server = ControlServer(launcher: launcher, host: host, limits: limits)
        let outcome = try await server.serve { url throws(StreamrunError) in
            await withTaskGroup(of: Result<RunSummary, StreamrunError>.self) { group in
                group.addTask {
                    do throws(StreamrunError) {
                        return .success(try await launcher.run(statusLine: false))
                    } catch {
                        return .failure(error)
                    }
                }
                do {
                    try await body(RunningJob(launcher: launcher, url: url, dir: dir, token: server.token))
                } catch {
                    failure = error
                }
                launcher.requestStop()
                return await group.next()!
            }
        }
        if let failure { throw failure }
        return outcome
    }
}

/// One HTTP exchange through AsyncHTTPClient.
struct HTTPAnswer {
    var status: Int
    var contentType: String
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// With `token`, the request carries `Authorization: Bearer <token>` (every POST needs it).
    static func send(_ method: String, _ url: String, body: String? = nil, token: String? = nil) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(Array(body.utf8)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = Array(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        return HTTPAnswer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
                          body: bytes)
    }
}

/// Calls `check` until it returns a value (progress, not time, decides). `timeout` is a hang guard
/// only; `check` runs once more after it, since a busy test process may wake a sleeper late.
func poll<T>(_ what: String, timeout: Duration = .seconds(300), _ check: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let v = try await check() { return v }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}
