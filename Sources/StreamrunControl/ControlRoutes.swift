import Foundation
import Hummingbird
import StreamrunJob
import StreamrunCore

/// The REST routes of a job's control endpoint, each backed by one ``JobLauncher`` call.
///
/// | route | answer |
/// |---|---|
/// | `GET /ping` | ``ControlMessages/PingResponse`` while the process serves (liveness) |
/// | `GET /ready` | ``ControlMessages/ReadyResponse``: 200 while the job runs, else 503 (readiness) |
/// | `GET /job` | ``JobStatus`` |
/// | `GET /checkpoints` | ``ControlMessages/CheckpointsResponse`` |
/// | `POST /savepoints` | ``ControlMessages/SavepointResponse``, once the savepoint is complete |
/// | `POST /stop` | ``ControlMessages/StopResponse``, once the final checkpoint (and savepoint) is complete |
/// | `GET /metrics` | Prometheus text format (``JobMetricsBridge``) |
///
/// Every request passes ``ControlAccess`` first. A `dir` in a request body is confined to the job's
/// savepoint root (``SavepointDirectory``). Every error is a JSON ``ControlMessages/ErrorResponse``
/// with a 4xx or 5xx status.
enum ControlRoutes {
    static let list = "GET /ping, GET /ready, GET /job, GET /checkpoints, POST /savepoints, POST /stop and GET /metrics"

    static func router(launcher: JobLauncher, metrics: JobMetricsBridge, access: ControlAccess) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: ControlAccessMiddleware(access: access))
        router.get("ping") { _, _ in
            json(ControlMessages.PingResponse())
        }
        router.get("ready") { _, _ in
            let state = launcher.state
            return json(ControlMessages.ReadyResponse(state: state), status: state == .running ? .ok : .serviceUnavailable)
        }
        router.get("job") { _, _ in
            json(launcher.status())
        }
        router.get("checkpoints") { _, _ in
            json(ControlMessages.CheckpointsResponse(checkpoints: launcher.history.entries, failures: launcher.history.failures))
        }
        router.post("savepoints") { request, _ in
            let body = try await decode(ControlMessages.SavepointRequest.self, from: request) ?? .init()
            do throws(StreamrunError) {
                let dir = try SavepointDirectory.resolve(body.dir, outsideRoot: body.outsideRoot ?? false,
                                                         root: absolute(launcher.defaultSavepointRoot))
                return json(ControlMessages.SavepointResponse(path: absolute(try await launcher.savepoint(directory: dir))))
            } catch {
                return errorResponse(error)
            }
        }
        router.post("stop") { request, _ in
            let body = try await decode(ControlMessages.StopRequest.self, from: request) ?? .init()
            do throws(StreamrunError) {
                let dir = try SavepointDirectory.resolve(body.dir, outsideRoot: body.outsideRoot ?? false,
                                                         root: absolute(launcher.defaultSavepointRoot))
                let path = try await launcher.stop(savepoint: body.savepoint ?? false, directory: dir)
                return json(ControlMessages.StopResponse(savepoint: path.map(absolute)))
            } catch {
                return errorResponse(error)
            }
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.scrape())))
        }
        return router
    }

    /// Paths in answers are absolute: the client may run in another directory.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL.path
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder.control.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data + Data("\n".utf8))))
    }

    static func errorResponse(_ e: StreamrunError) -> Response {
        json(ControlMessages.ErrorResponse(e), status: .init(code: e.httpStatus))
    }

    /// The request's JSON body, or nil when it has none; a body that is not the expected JSON is a 400.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T? {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let bytes = Data(buffer.readableBytesView)
        guard bytes.contains(where: { !Set(" \t\r\n".utf8).contains($0) }) else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw StreamrunError(.badRequest, "the request body is not the expected JSON object: \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

/// Turns every error a route throws, and the router's own 404 and 405, into a JSON error body.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as StreamrunError {
            return ControlRoutes.errorResponse(e)
        } catch let e as any HTTPResponseError {
            let code: StreamrunError.Code = e.status == .notFound ? .notFound : .badRequest
            let message = e.status == .notFound
                ? "no route \(request.method) \(request.uri.path); the routes are \(ControlRoutes.list)"
                : "\(request.method) \(request.uri.path): \(e.status.reasonPhrase)"
            let retry: StreamrunError.RetryClass = e.status.code >= 500 ? .internal : .user
            return ControlRoutes.json(ControlMessages.ErrorResponse(StreamrunError(code, message, retry: retry)), status: e.status)
        } catch {
            return ControlRoutes.errorResponse(StreamrunError(.internalError, "\(error)", retry: .internal))
        }
    }
}
