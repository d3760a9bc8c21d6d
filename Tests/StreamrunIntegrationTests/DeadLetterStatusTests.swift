import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 12: while a job with bad records runs, `GET /job` (through `status --json`), `GET /metrics`
/// and `streamrun status` show them: per operator `deadLettered`, `skipped` and `badRecords` by rule,
/// `streamrun_records_dead_lettered_total{node, rule}`, and a "bad records" line.
@Suite struct DeadLetterStatusTests {
    /// 100 bad records (wrong type of `bidder`) among the first 1000 of 20000, read at 2000 records/s:
    /// the counts are final after about half a second and the job runs for ten.
    @Test func jobMetricsAndStatusShowTheBadRecordsOfARunningJob() throws {
        let dir = try Harness.tempDir("dead-letter-status")
        let valid = try DeadLetterCorpus.generatedBids(count: 20000, in: dir)
        var c = DeadLetterCorpus()
        var rng = TestRandom(seed: 3)
        for (i, record) in valid.enumerated() {
            if i < 1000 && i % 10 == 5 {
                c.addBad(.type, base: record, rng: &rng, maxRecordSize: 1 << 20, splitSize: 16 << 20)
            } else {
                c.good(record)
            }
        }
        try Data(c.bytes).write(to: dir.appendingPathComponent("bids.jsonl"))
        let job = DeadLetterTests.job(options: #""maxRecordsPerSecond": 2000,"#, checkpoints: #"{ "dir": "state", "interval": "100ms" }"#)
        try Harness.write(job, to: dir.appendingPathComponent("job.json"))
        let running = try DataAndProgressTests.start(["run", "job.json"], in: dir)
        defer {
            if running.process.isRunning { kill(running.process.processIdentifier, SIGKILL) }
            running.process.waitUntilExit()
        }
        let control = dir.appendingPathComponent("state/control.json")
        try DataAndProgressTests.waitFor("control.json") { FileManager.default.fileExists(atPath: control.path) || !running.process.isRunning }
        #expect(running.process.isRunning, "the job ended early: \(running.stderr)")

        // GET /job, until every bad record is counted and a sample shows read = emitted + dead-lettered.
        var bids: [String: Any] = [:]
        try DataAndProgressTests.waitFor("100 dead letters in GET /job") {
            guard running.process.isRunning else { return true }
            let r = try Harness.run(["status", "--json", "job.json"], cwd: dir)
            let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            bids = (json?["operators"] as? [[String: Any]])?.first { $0["id"] as? String == "bids" } ?? [:]
            let (read, out, dead) = (bids["recordsIn"] as? Int ?? -1, bids["recordsOut"] as? Int ?? -1, bids["deadLettered"] as? Int ?? -1)
            return dead == 100 && read == out + dead
        }
        #expect(running.process.isRunning, "the job ended before the counts were seen: \(running.stderr)")
        #expect(bids["deadLettered"] as? Int == 100 && bids["skipped"] as? Int == 0, "\(bids)")
        let byRule = bids["badRecords"] as? [[String: Any]] ?? []
        #expect(byRule.count == 1 && byRule.first?["rule"] as? String == "type" && byRule.first?["deadLettered"] as? Int == 100
                && byRule.first?["skipped"] as? Int == 0, "\(bids)")

        // GET /metrics.
        let address = try JSONSerialization.jsonObject(with: Data(contentsOf: control)) as? [String: Any]
        let url = try #require(address?["url"] as? String)
        let metrics = try LocalHTTP.get(url + "/metrics")
        #expect(metrics.status == 200)
        let dead = metrics.body.split(separator: "\n").filter { $0.hasPrefix("streamrun_records_dead_lettered_total{") }
        #expect(dead.count == 1 && dead.first.map { $0.contains(#"node="bids""#) && $0.contains(#"rule="type""#)
                && $0.contains(#"job_name="dl""#) && $0.hasSuffix("} 100") } == true, "\(dead)")
        #expect(!metrics.body.contains("streamrun_records_skipped_total{"), "\(metrics.body)")
        #expect(metrics.body.contains("# HELP streamrun_records_dead_lettered_total "))

        // streamrun status.
        let status = try Harness.run(["status", "job.json"], cwd: dir)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.split(separator: "\n").contains("bad records at bids: 100 dead-lettered (type 100)"), "\(status.stdout)")

        let stop = try Harness.run(["stop", "job.json"], cwd: dir)
        #expect(stop.status == 0, "\(stop.stderr)")
        let (code, stderr) = running.finish()
        #expect(code == 0, "\(stderr)")
    }
}

/// A plain HTTP/1.1 GET to a loopback address, over a socket (no URLSession on the test's path).
enum LocalHTTP {
    struct Answer {
        var status: Int
        var body: String
    }

    /// `url` is `http://127.0.0.1:PORT/path`.
    static func get(_ url: String) throws -> Answer {
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let hostPort = rest[..<slash]
        let path = slash < rest.endIndex ? String(rest[slash...]) : "/"
        guard let colon = hostPort.lastIndex(of: ":"), let port = UInt16(hostPort[hostPort.index(after: colon)...]) else {
            throw POSIXError(.EINVAL)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)  // a hang guard
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(String(hostPort[..<colon]))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(hostPort)\r\nConnection: close\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { throw POSIXError(.EIO) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            data += chunk[..<n]
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw POSIXError(.EBADMSG) }
        let head = text[..<split.lowerBound]
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var body = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return Answer(status: status, body: body)
    }

    /// The body of a chunked transfer encoding.
    static func dechunk(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let end = rest.utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return out
    }
}
