#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import StreamrunCore
import Synchronization

/// Who may use a job's control endpoint: the rules every request passes before its route runs.
///
/// 1. **Host.** The `Host` header must name the endpoint's own address and port: `127.0.0.1`,
///    `localhost`, `[::1]` or the configured host (bound to a wildcard address, also any IP address
///    and this machine's hostname). Anything else is 403: a page that reaches the port through a DNS
///    name it controls (DNS rebinding) sends its own name. A request with an `Origin` header (a
///    browser's) must come from one of the same addresses.
/// 2. **Token.** Each run has a random token (``generateToken()``), kept in control.json (mode
///    0600). A mutating request (`POST`) needs `Authorization: Bearer <token>`, and so does every
///    request when the endpoint is bound to an address that is not loopback; otherwise 401. Reading
///    control.json is what makes a caller the job's user, as the CLI is: a web page cannot.
///
/// The bound port is known once the server listens (port 0 picks one): ``bind(port:)``.
public final class ControlAccess: Sendable {
    /// The configured host (`127.0.0.1`, `0.0.0.0`, `::`, a name or an address).
    public let host: String
    public let token: String
    /// Whether the endpoint listens on loopback only (then reads need no token).
    public let loopbackOnly: Bool
    private let port = Atomic<Int>(-1)
    /// Lower-cased host names (IPv6 in brackets) a request's `Host` may give.
    private let names: Set<String>
    private let wildcard: Bool

    public init(host: String, token: String) {
        self.host = host
        self.token = token
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        loopbackOnly = Self.isLoopback(bare.lowercased())
        wildcard = bare.isEmpty || bare == "0.0.0.0" || bare == "::"
        var names: Set<String> = ["127.0.0.1", "localhost", "[::1]", Self.bracketed(bare.lowercased())]
        if wildcard, let name = Self.hostname() { names.insert(name.lowercased()) }
        self.names = names
    }

    /// Records the port the server listens on.
    func bind(port p: Int) { port.store(p, ordering: .relaxed) }

    /// 32 random bytes from the system's secure generator, as 64 hex digits.
    public static func generateToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let b = UInt8.random(in: 0...255, using: &rng)
            return String(b >> 4, radix: 16) + String(b & 0xF, radix: 16)
        }.joined()
    }

    /// The reason to refuse a request (403 or 401), or nil to let it through.
    func refusal(method: HTTPRequest.Method, authority: String?, origin: String?, authorization: String?) -> StreamrunError? {
        guard let authority, allows(authority: authority) else {
            return StreamrunError(.forbidden, "the Host header (\(authority.map { "\"\($0)\"" } ?? "none")) does not name this endpoint; "
                + "use http://127.0.0.1:\(port.load(ordering: .relaxed)) (requests through other names are refused against DNS rebinding)")
        }
        if let origin, !allows(origin: origin) {
            return StreamrunError(.forbidden, "requests from the web origin \"\(origin)\" are refused")
        }
        let needsToken = !loopbackOnly || (method != .get && method != .head)
        guard needsToken else { return nil }
        guard let authorization, authorization.hasPrefix("Bearer "), Self.equal(String(authorization.dropFirst(7)), token) else {
            let which = loopbackOnly ? "\(method) requests need" : "every request to an endpoint not bound to loopback needs"
            return StreamrunError(.unauthorized, "\(which) the header \"Authorization: Bearer <token>\" with the token in "
                + "control.json (the streamrun commands send it)")
        }
        return nil
    }

    /// Whether `authority` (`host[:port]`) names this endpoint.
    func allows(authority: String) -> Bool {
        let a = authority.lowercased()
        let host: Substring, portText: Substring?
        if a.hasPrefix("[") {
            guard let close = a.firstIndex(of: "]") else { return false }
            host = a[...close]
            let rest = a[a.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return false }
            portText = rest.isEmpty ? nil : rest.dropFirst()
        } else if let colon = a.lastIndex(of: ":") {
            host = a[..<colon]
            portText = a[a.index(after: colon)...]
        } else {
            host = a[...]
            portText = nil
        }
        let bound = port.load(ordering: .relaxed)
        guard (portText.map { Int($0) } ?? 80) == bound else { return false }
        return names.contains(String(host)) || wildcard && Self.isIPAddress(String(host))
    }

    /// Whether a browser's `Origin` (`http://host:port`) is this endpoint.
    func allows(origin: String) -> Bool {
        origin.lowercased().hasPrefix("http://") && allows(authority: String(origin.dropFirst(7)))
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") && isIPAddress(host)
    }

    /// An IPv4 address, or an IPv6 one (bare or in brackets): never a DNS name, so never rebound.
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    static func hostname() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Compares in time that does not depend on where the strings differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Runs ``ControlAccess`` before every route: a refused request gets a JSON error (401 with
/// `WWW-Authenticate: Bearer`, or 403) and never reaches the route.
struct ControlAccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: ControlAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let refusal = access.refusal(method: request.method, authority: request.head.authority,
                                     origin: request.headers[.origin], authorization: request.headers[.authorization])
        guard let refusal else { return try await next(request, context) }
        var response = ControlRoutes.errorResponse(refusal)
        if refusal.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}
