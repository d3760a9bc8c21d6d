import Foundation
import StreamrunControl
import StreamrunCore
import Testing

/// Issue 11, item 6: "No authentication and no Host/Origin check: a web page (or DNS rebinding) can
/// `POST /stop`." Each test reproduces one way in, through the real endpoint of a running job.
@Suite(.serialized) struct ControlAccessTests {
    /// Reproduction: `curl -X POST http://127.0.0.1:PORT/stop` (what a web page's form can send)
    /// stopped the job. Without the run's token it is now refused and the job keeps running.
    @Test func postWithoutTheTokenIsRefusedAndTheJobKeepsRunning() async throws {
        try await RunningJob.with(name: "access-token") { (job: RunningJob) async throws in
            for token in [nil, "not-the-token", String(job.token.dropLast()) + "0"] where token != job.token {
                let stop = try await HTTPAnswer.send("POST", job.url + "/stop", token: token)
                #expect(stop.status == 401, "\(stop.text)")
                #expect(try stop.json()["code"] as? String == "unauthorized")
                #expect((try stop.json()["error"] as? String ?? "").contains("Authorization: Bearer"), "\(stop.text)")
            }
            let savepoint = try await HTTPAnswer.send("POST", job.url + "/savepoints", body: #"{"dir": "x"}"#)
            #expect(savepoint.status == 401)
            #expect(job.launcher.state == .running)
            // Reads need no token on loopback.
            #expect(try await HTTPAnswer.send("GET", job.url + "/job").status == 200)
            let ready = try await HTTPAnswer.send("GET", job.url + "/ready")
            #expect(try ready.status == 200 && ready.json()["state"] as? String == "running", "\(ready.text)")
            // With the token, the same request stops the job.
            let stop = try await HTTPAnswer.send("POST", job.url + "/stop", token: job.token)
            #expect(stop.status == 200, "\(stop.text)")
            #expect(job.launcher.state != .running)
        }
    }

    /// Reproduction: DNS rebinding. A page at http://rebind.attacker.example:PORT whose name now
    /// resolves to 127.0.0.1 reaches the endpoint with its own name in Host; a browser sends its
    /// Origin. Both are refused with 403, even with the token; the endpoint's own names pass.
    @Test func foreignHostOrOriginIsRefused() async throws {
        try await RunningJob.with(name: "access-host") { (job: RunningJob) async throws in
            let port = job.port
            for host in ["rebind.attacker.example:\(port)", "127.0.0.1:\(port + 1)", "127.0.0.2:\(port)", "localhost.attacker.example:\(port)"] {
                let answer = try await RawConnection.exchange(port: port, "GET", "/job", host: host)
                #expect(answer.status == 403, "Host \(host): \(answer.body)")
                #expect(answer.body.contains(#""code" : "forbidden""#), "\(answer.body)")
                let stop = try await RawConnection.exchange(port: port, "POST", "/stop", host: host,
                                                            headers: ["Authorization: Bearer \(job.token)"])
                #expect(stop.status == 403, "Host \(host): \(stop.body)")
            }
            let fromPage = try await RawConnection.exchange(port: port, "POST", "/stop",
                                                            headers: ["Origin: http://rebind.attacker.example:\(port)",
                                                                      "Authorization: Bearer \(job.token)"])
            #expect(fromPage.status == 403, "\(fromPage.body)")
            #expect(job.launcher.state == .running)
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "LOCALHOST:\(port)", "[::1]:\(port)"] {
                let answer = try await RawConnection.exchange(port: port, "GET", "/job", host: host)
                #expect(answer.status == 200, "Host \(host): \(answer.body)")
            }
            let sameOrigin = try await RawConnection.exchange(port: port, "GET", "/job", headers: ["Origin: http://127.0.0.1:\(port)"])
            #expect(sameOrigin.status == 200, "\(sameOrigin.body)")
        }
    }

    /// control.json holds the token, so it is readable by the job's user only (0600), from creation on.
    @Test func controlFileIsPrivate() async throws {
        try await RunningJob.with(name: "access-file") { (job: RunningJob) async throws in
            let path = ControlFile.path(in: job.launcher.stateDirectory)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o777 == 0o600, "mode \(String(mode, radix: 8))")
            #expect(ControlFile.read(in: job.launcher.stateDirectory)?.token == job.token)
        }
    }

    /// Bound to a wildcard (not loopback) address, every route needs the token, reads and probes too.
    @Test func endpointNotOnLoopbackNeedsTheTokenOnEveryRoute() async throws {
        try await RunningJob.with(name: "access-wildcard", host: "0.0.0.0") { (job: RunningJob) async throws in
            for route in ["/job", "/checkpoints", "/metrics", "/ping", "/ready"] {
                let without = try await HTTPAnswer.send("GET", job.url + route)
                #expect(without.status == 401, "\(route): \(without.text)")
                let with = try await HTTPAnswer.send("GET", job.url + route, token: job.token)
                #expect(with.status == 200, "\(route): \(with.text)")
            }
        }
    }
}
