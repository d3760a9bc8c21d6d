import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `"alerts"` (issue 13) through the binary, against real receivers: a webhook served by a local HTTP
/// listener in the test, and a command that reads the payload on its standard input. The failures
/// are injected (`"faults"`, `--allow-faults`).
@Suite struct AlertTests {
    /// A one-thread HTTP server on 127.0.0.1 that answers 200 to every request and keeps the bodies.
    final class Listener: @unchecked Sendable {
        let port: Int
        private let fd: Int32
        private let lock = NSLock()
        private var bodies: [String] = []

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
            listen(fd, 16)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            port = Int(UInt16(bigEndian: addr.sin_port))
            Thread.detachNewThread { [self] in serve() }
        }

        var received: [String] { lock.withLock { bodies } }

        /// Waits until an alert of `event` has arrived, or the job has ended.
        func waitFor(event: String, from running: DataAndProgressTests.Running) throws {
            try DataAndProgressTests.waitFor("the \(event) alert") {
                received.contains { $0.contains(#""event":"\#(event)""#) } || !running.process.isRunning
            }
        }

        private func serve() {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                var data = [UInt8]()
                var buf = [UInt8](repeating: 0, count: 65536)
                // Read the head, then Content-Length bytes of body.
                while true {
                    let n = read(c, &buf, buf.count)
                    if n <= 0 { break }
                    data += buf[0..<n]
                    let text = String(decoding: data, as: UTF8.self)
                    if let r = text.range(of: "\r\n\r\n") {
                        let head = text[..<r.lowerBound].lowercased()
                        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                        let bodyStart = text.utf8.distance(from: text.utf8.startIndex, to: r.upperBound)
                        if data.count - bodyStart >= length {
                            lock.withLock { bodies.append(String(decoding: data[bodyStart..<(bodyStart + length)], as: UTF8.self)) }
                            break
                        }
                    }
                }
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                _ = answer.withCString { write(c, $0, strlen($0)) }
                close(c)
            }
        }
    }

    static func job(fault: String, restart: String, alerts: String) -> String {
        FaultInjectionTests.job(name: "alerted", fault: fault, restart: restart, alerts: alerts)
    }

    static func prepare(_ job: String) throws -> URL { try FaultInjectionTests.prepare(job) }

    static func objects(_ lines: [String]) throws -> [[String: Any]] {
        try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not JSON: \($0)") }
    }

    @Test func aWebhookHearsRestartsThenRecovery() throws {
        let listener = try Listener()
        let dir = try Self.prepare(Self.job(
            fault: #"{ "node": "o", "type": "fail-record", "every": 2000, "times": 2 }"#,
            restart: #"{ "strategy": "fixed-delay", "attempts": 5, "delay": "10ms" }"#,
            alerts: #"{ "on": ["restarting", "recovered", "job_failed"], "webhook": "http://127.0.0.1:\#(listener.port)/hook" }"#))
        let r = try Harness.run(["-q", "job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let events = try Self.objects(listener.received)
        #expect(events.map { $0["event"] as? String } == ["restarting", "restarting", "recovered"], "\(listener.received)")
        let first = try #require(events.first)
        #expect(first["job"] as? String == "alerted")
        #expect(first["attempt"] as? Int == 1)
        #expect(first["errorClass"] as? String == "transient")
        #expect(first["errorCode"] as? String == "injected-fault")
        #expect((first["message"] as? String)?.contains("injected fault (fail-record)") == true)
        #expect((first["time"] as? String)?.hasSuffix("Z") == true)
        #expect(events.last?["checkpoint"] is Int)
    }

    @Test func aCommandGetsTheFinalFailureOnItsStandardInput() throws {
        let dir = try Self.prepare(Self.job(
            fault: #"{ "node": "o", "type": "fail-record", "every": 1000, "times": "always" }"#,
            restart: #"{ "strategy": "fixed-delay", "attempts": 1, "delay": "10ms" }"#,
            alerts: #"{ "on": ["job_failed"], "command": ["/bin/sh", "-c", "cat >> alerts.jsonl; echo >> alerts.jsonl"] }"#))
        let r = try Harness.run(["-q", "job.json", "--allow-faults"], cwd: dir)
        #expect(r.status == 1)
        let text = try String(contentsOf: dir.appendingPathComponent("alerts.jsonl"), encoding: .utf8)
        let events = try Self.objects(text.split(separator: "\n").map(String.init))
        #expect(events.count == 1, "\(text)")
        #expect(events.first?["event"] as? String == "job_failed")
        #expect((events.first?["message"] as? String)?.contains("giving up after 1 restart") == true, "\(text)")
    }

    @Test func anAlertNeedsExactlyOneReceiverAndKnownEvents() throws {
        let dir = try Self.prepare(Self.job(fault: #"{ "node": "o", "type": "fail-record" }"#, restart: #"{ "strategy": "none" }"#,
                                            alerts: #"{ "on": ["job_faild"], "webhook": "ftp://x", "command": ["true"] }"#))
        let r = try Harness.run(["validate", "job.json"], cwd: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains(#"alerts[0].on[0]: expected"#) && r.stderr.contains(#"(did you mean "job_failed"?)"#), "\(r.stderr)")
        #expect(r.stderr.contains(#"alerts[0].webhook: expected an http:// or https:// URL"#), "\(r.stderr)")
        #expect(r.stderr.contains(#"alerts[0]: an alert needs exactly one of "webhook" and "command""#), "\(r.stderr)")
    }

    /// `dead_letter_rate`: a source whose records are 10 % bad passes a 5 % threshold; the payload names it.
    @Test func aDeadLetterRateAboveTheThresholdIsAlerted() throws {
        let listener = try Listener()
        let dir = try Harness.tempDir("dead-letter-rate")
        let lines = (0..<6000).map { $0 % 10 == 0 ? #"{"a": "bad"}"# : #"{"a": \#($0)}"# }
        try Harness.write(lines.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("in.jsonl"))
        try Harness.write("""
            { "name": "dlrate",
              "alerts": [{ "on": ["dead_letter_rate"], "webhook": "http://127.0.0.1:\(listener.port)/hook", "deadLetterRate": 0.05 }],
              "sources": [{ "id": "s", "type": "file", "path": "in.jsonl", "schema": { "a": "int" }, "onError": "dead-letter",
                            "deadLetter": "dlq", "maxRecordsPerSecond": 2000 }],
              "sinks": [{ "id": "o", "type": "file", "inputs": ["s"], "path": "out" }, { "id": "dlq", "type": "file", "path": "dlq" }] }
            """, to: dir.appendingPathComponent("job.json"))
        let r = try Harness.run(["-q", "job.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let events = try Self.objects(listener.received)
        #expect(events.map { $0["event"] as? String } == ["dead_letter_rate"], "\(listener.received)")
        #expect(events.first?["node"] as? String == "s")
        #expect((events.first?["message"] as? String)?.contains("of its records were dead-lettered in the last minute") == true, "\(events)")
        #expect(r.stderr.contains("warning: s: "), "\(r.stderr)")
    }
}
