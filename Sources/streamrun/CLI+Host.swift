#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunControl
import StreamrunCore
import StreamrunJob
import StreamrunPlan

extension CLI {
    /// Runs a job the way `streamrun job.json` does: with its control endpoint (on `controlHost` and
    /// `controlPort`, else job.json's `control`, else 127.0.0.1 and a free port), stopped by SIGINT or
    /// SIGTERM, with a status line on a terminal unless `quiet`. Returns the run's summary.
    static func host(_ launcher: JobLauncher, quiet: Bool, controlHost: String? = nil, controlPort: Int? = nil) async throws(StreamrunError)
        -> RunSummary {
        let control = launcher.plan.spec.control ?? ControlSpec()
        let server = ControlServer(launcher: launcher, host: controlHost ?? control.host, port: controlPort ?? control.port)
        let statusLine = !quiet && isatty(STDERR_FILENO) != 0
        return try await JobHost(server: server, statusLine: statusLine) { url in
            // With -q nothing is announced: control.json still names the endpoint.
            if !quiet { CLI.logger.info("control endpoint: \(url)", metadata: ["url": "\(url)"]) }
        }.run()
    }
}
