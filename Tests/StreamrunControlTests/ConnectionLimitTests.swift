import Foundation
import StreamrunControl
import StreamrunCore
import Testing

/// Issue 11, item 7: "Idle or half-sent connections are never timed out: 150 of them exhausted the
/// job's file descriptors and failed it." The endpoint now holds at most `maxConnections`, closes
/// idle and half-sent ones, and gives a request head a deadline for its body. The timeouts are made
/// short here; the tests wait for the server to close each connection, never for a time.
@Suite(.serialized) struct ConnectionLimitTests {
    /// Reproduction: open many idle connections (here 5 × the limit) and send nothing. The server
    /// closes every one of them, the job keeps running, and `GET /job` answers afterwards.
    @Test func idleConnectionsBeyondTheLimitAreDroppedAndTheJobStillAnswers() async throws {
        let limits = ControlServer.Limits(maxConnections: 8, idleTimeout: .milliseconds(200), requestTimeout: .seconds(600))
        try await RunningJob.with(name: "idle-connections", limits: limits) { (job: RunningJob) async throws in
            let idle = try (0..<40).map { _ in try RawConnection(port: job.port) }
            for (i, c) in idle.enumerated() {
                let (text, closed) = await c.readUntilClosed()
                try #require(closed, "idle connection \(i) was never closed")
                #expect(text.isEmpty, "an idle connection got \(text)")
            }
            #expect(job.launcher.state == .running)
            let answer = try await RawConnection.exchange(port: job.port, "GET", "/job")
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body.contains(#""state" : "running""#), "\(answer.body)")
        }
    }

    /// Reproduction: a request cut off in its head (no blank line yet) is closed by the idle timeout.
    @Test func halfSentRequestHeadIsClosed() async throws {
        let limits = ControlServer.Limits(maxConnections: 8, idleTimeout: .milliseconds(200), requestTimeout: .seconds(600))
        try await RunningJob.with(name: "half-head", limits: limits) { (job: RunningJob) async throws in
            let c = try RawConnection(port: job.port)
            c.write("GET /job HTTP/1.1\r\nHost: 127.0.0.1:\(job.port)\r\nUser-Agent: slow")
            let (text, closed) = await c.readUntilClosed()
            #expect(closed, "a half-sent request head kept its connection")
            #expect(text.isEmpty, "\(text)")
            #expect(try await RawConnection.exchange(port: job.port, "GET", "/job").status == 200)
        }
    }

    /// Reproduction: a request whose body never arrives in full (one byte of the announced 100) is
    /// closed by the request timeout, even with an idle timeout far away; no savepoint is taken.
    @Test func requestWhoseBodyNeverCompletesIsClosed() async throws {
        let limits = ControlServer.Limits(maxConnections: 8, idleTimeout: .seconds(600), requestTimeout: .milliseconds(200))
        try await RunningJob.with(name: "half-body", checkpoints: true, limits: limits) { (job: RunningJob) async throws in
            let c = try RawConnection(port: job.port)
            c.write("POST /savepoints HTTP/1.1\r\nHost: 127.0.0.1:\(job.port)\r\nAuthorization: Bearer \(job.token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            let (_, closed) = await c.readUntilClosed()
            #expect(closed, "a request whose body never completed kept its connection")
            #expect(!job.launcher.history.entries.contains { $0.kind == "savepoint" })
            #expect(try await RawConnection.exchange(port: job.port, "GET", "/job").status == 200)
        }
    }
}
