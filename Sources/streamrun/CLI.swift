#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Logging
import StreamrunCore
import StreamrunPlan

/// Shared CLI plumbing: one readable error line and an exit code, never a stack trace.
enum CLI {
    static let logger = Logger(label: "streamrun")

    static func guarded(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as StreamrunError {
            printError("error: " + e.description)
            throw ExitCode(e.exitCode)
        } catch let e as ExitCode {
            throw e
        } catch is CancellationError {
            printError("error: job cancelled")
            throw ExitCode(130)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// Loads and validates job.json; relative paths in it are taken relative to its directory.
    static func loadJob(_ path: String) throws(StreamrunError) -> JobPlan {
        try JobLoader.load(path: path).resolvingPaths(relativeTo: JobPlan.directory(of: path))
    }

    static func printError(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}
