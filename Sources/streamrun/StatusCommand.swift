import ArgumentParser
import Foundation
import StreamrunJob
import StreamrunControl
import StreamrunCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running job: state, uptime, records per second per operator and the last checkpoint.",
        discussion: "Asks the job's control endpoint (found through control.json in its state directory). "
            + "Rates are measured over one second."
    )

    @Argument(help: "Path to the job.json file of the running job.")
    var job: String

    @Flag(help: "Print the endpoint's raw JSON (GET /job) instead.")
    var json = false

    func run() async throws {
        try await CLI.guarded {
            let client = try CLI.controlClient(job)
            if json {
                print(String(decoding: try await client.statusJSON(), as: UTF8.self), terminator: "")
                return
            }
            let first = try await client.status()
            var second: JobStatus?
            if first.state == .running {
                try? await Task.sleep(for: .seconds(1))
                second = try? await client.status()
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let report = second.map { StatusReport(status: $0, earlier: first, nowMs: now) } ?? StatusReport(status: first, nowMs: now)
            print(report.text)
        }
    }
}
