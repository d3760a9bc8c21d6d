import ArgumentParser
import Foundation
import Logging
import StreamrunCore
import StreamrunPlan

/// Shared CLI plumbing: one readable error line and an exit code, never a stack trace. Every
/// message goes through ``logger`` (``TextLogHandler`` prints it); command output goes to stdout.
enum CLI {
    static let logger = Logger(label: "streamrun")

    static func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as StreamrunError {
            logger.error("\(e.description)", metadata: ["error.code": "\(e.code)"])
            throw ExitCode(e.exitCode)
        } catch let e as ExitCode {
            throw e
        } catch is CancellationError {
            logger.error("job cancelled")
            throw ExitCode(130)
        } catch {
            logger.error("\(error)")
            throw ExitCode(1)
        }
    }

    /// Loads and validates job.json; relative paths in it are taken relative to its directory.
    static func loadJob(_ path: String) throws(StreamrunError) -> JobPlan {
        let plan = try JobLoader.load(path: path).resolvingPaths(relativeTo: JobPlan.directory(of: path))
        for w in plan.warnings { logger.warning("\(w)") }
        return plan
    }
}
