#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
#endif
import Foundation
import Testing

/// A plain TCP connection to 127.0.0.1, for what an HTTP client library will not do: send any Host
/// header, stay idle, or stop halfway through a request.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`. A read gives up after `guardSeconds` (a hang guard, never the
    /// thing a test asserts on).
    init(port: Int, guardSeconds: Int = 120) throws {
        fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .ECONNREFUSED)
        }
        var limit = timeval(tv_sec: guardSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            done += n
        }
    }

    /// Reads until the server closes the connection (on another thread, so no task of the test
    /// process is blocked): what arrived, and whether it was closed (false: the hang guard expired).
    func readUntilClosed() async -> (text: String, closed: Bool) {
        await withCheckedContinuation { c in
            DispatchQueue.global().async {
                var data: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress!, $0.count, 0) }
                    if n > 0 {
                        data += buffer[0..<n]
                        continue
                    }
                    if n < 0 && errno == EINTR { continue }
                    let closed = n == 0 || errno == ECONNRESET
                    c.resume(returning: (String(decoding: data, as: UTF8.self), closed))
                    return
                }
            }
        }
    }

    /// One request with `Connection: close`; the status code and the body of the answer.
    static func exchange(port: Int, _ method: String, _ path: String, host: String? = nil,
                         headers: [String] = [], body: String = "") async throws -> (status: Int, body: String) {
        let c = try RawConnection(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        for h in headers { head += h + "\r\n" }
        head += "Content-Length: \(body.utf8.count)\r\n\r\n"
        c.write(head + body)
        let (text, closed) = await c.readUntilClosed()
        #expect(closed, "the answer to \(method) \(path) did not end")
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let bodyText = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, bodyText)
    }
}
