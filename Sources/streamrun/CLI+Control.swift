import Foundation
import StreamrunConnectors
import StreamrunControl
import StreamrunCore
import StreamrunPlan

extension CLI {
    /// The control endpoint of the running job `jobPath` describes, from control.json in the same
    /// state directory the job uses (``JobLauncher/stateDirectory``).
    static func controlClient(_ jobPath: String) throws(StreamrunError) -> ControlClient {
        let plan = try JobLoader.load(path: jobPath).resolvingPaths(relativeTo: JobPlan.directory(of: jobPath))
        let launcher = JobLauncher(plan: plan, options: .init(jobDirectory: JobPlan.directory(of: jobPath)))
        return try ControlClient.locate(job: plan.spec.name, stateDirectory: launcher.stateDirectory)
    }
}

extension CLI {
    /// `path` made absolute against this process's directory: the running job resolves paths against its own.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

extension CLI {
    /// Runs `body` (the job) and prints `line` once the job is running: a run refused before it starts
    /// (a bad input, an incompatible checkpoint) prints only its error.
    static func printWhenRunning<T>(_ launcher: JobLauncher, _ line: String,
                                    _ body: () async throws(StreamrunError) -> T) async throws(StreamrunError) -> T {
        let result: Result<T, StreamrunError> = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    switch launcher.status().state {
                    case .running: return printError(line)
                    case .starting: try? await Task.sleep(for: .milliseconds(10))
                    default: return
                    }
                }
            }
            let r: Result<T, StreamrunError>
            do throws(StreamrunError) {
                r = .success(try await body())
            } catch {
                r = .failure(error)
            }
            group.cancelAll()
            return r
        }
        return try result.get()
    }
}
