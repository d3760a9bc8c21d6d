import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StreamrunJob
import StreamrunPlan

/// Sends a job's events to its `"alerts"`, off the data path: events queue up as they happen and
/// one task delivers them in order — a webhook gets an HTTP POST of the payload (with a timeout,
/// tried three times), a command gets it on standard input. A slow or dead receiver delays only
/// other alerts, never the job; a failed delivery is logged.
public final class AlertDispatcher: Sendable {
    /// The JSON document every alert receives.
    public struct Payload: Codable, Sendable, Equatable {
        public var job: String
        public var event: String
        /// UTC, ISO-8601 with milliseconds.
        public var time: String
        public var message: String
        public var errorCode: String?
        public var errorClass: String?
        public var attempt: Int?
        public var delayMs: Int64?
        public var checkpoint: Int64?
        public var lastCheckpoint: Int64?
        /// The node the event is about (`source_fallback`, `source_degraded`, its `resolved`).
        public var node: String?
    }

    let alerts: [AlertSpec]
    let logger: Logger
    private let queue: AsyncStream<JobEvent>.Continuation
    private let worker: Task<Void, Never>

    public init(alerts: [AlertSpec], logger: Logger) {
        self.alerts = alerts
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: JobEvent.self)
        queue = continuation
        worker = Task { [alerts, logger] in
            for await event in stream {
                for alert in alerts where alert.on.contains(event.event) {
                    await Self.deliver(Self.payload(event), to: alert, logger: logger)
                }
            }
        }
    }

    /// Subscribes to `events`.
    public func attach(to events: JobEvents) {
        let queue = self.queue
        events.subscribe { queue.yield($0) }
    }

    /// Waits until every queued alert is delivered (or has failed), at most `timeout`.
    public func finish(timeout: Duration = .seconds(15)) async {
        queue.finish()
        let worker = self.worker
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.value }
            group.addTask { try? await Task.sleep(for: timeout) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    static func payload(_ e: JobEvent) -> Payload {
        Payload(job: e.job, event: e.event.rawValue, time: isoTime(e.timeMs), message: e.message, errorCode: e.errorCode,
                errorClass: e.errorClass, attempt: e.attempt, delayMs: e.delayMs, checkpoint: e.checkpoint?.value,
                lastCheckpoint: e.lastCheckpoint?.value, node: e.node)
    }

    static func isoTime(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func deliver(_ payload: Payload, to alert: AlertSpec, logger: Logger) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let body = try? encoder.encode(payload) else { return }
        if let url = alert.webhook {
            var lastError = ""
            for attempt in 1...3 {
                do {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let response = try await ControlClient.http.execute(request, timeout: .milliseconds(alert.timeoutMs))
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    if (200..<300).contains(response.status.code) { return }
                    lastError = "HTTP \(response.status.code)"
                } catch {
                    lastError = "\(error)"
                }
                if attempt < 3 { try? await Task.sleep(for: .milliseconds(200 * attempt)) }
            }
            logger.warning("alert \(payload.event) to \(url) failed: \(lastError)", metadata: ["alert": "\(alert.jsonPath)"])
        } else if let command = alert.command {
            do {
                try await runCommand(command, input: body, timeoutMs: alert.timeoutMs)
            } catch {
                logger.warning("alert \(payload.event) by \(command.joined(separator: " ")) failed: \(error)", metadata: ["alert": "\(alert.jsonPath)"])
            }
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `command` (looked up on PATH unless it has a `/`) with `input` on standard input.
    static func runCommand(_ command: [String], input: Data, timeoutMs: Int64) async throws {
        let process = Process()
        if command[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        }
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.yield(); exited.continuation.finish() }
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
        let limit = max(timeoutMs, 1000) * 2
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { for await _ in exited.stream {}; return true }
            group.addTask { try? await Task.sleep(for: .milliseconds(limit)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            process.terminate()
            throw CommandFailed(description: "still running after \(limit) ms; stopped")
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw CommandFailed(description: "exit status \(process.terminationStatus)") }
    }
}
