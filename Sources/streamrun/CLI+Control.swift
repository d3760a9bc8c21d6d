import Foundation
import StreamrunJob
import StreamrunControl
import StreamrunCore
import StreamrunPlan

extension CLI {
    /// The control endpoint of the running job `jobPath` describes, from control.json in the same
    /// state directory the job uses (``JobLauncher/stateDirectory``).
    static func controlClient(_ jobPath: String) throws(StreamrunError) -> ControlClient {
        let plan = try JobLoader.load(path: jobPath).resolvingPaths(relativeTo: JobPlan.directory(of: jobPath))
        let launcher = JobLauncher(plan: plan, options: .init(jobDirectory: CLI.absolute(JobPlan.directory(of: jobPath))))
        return try ControlClient.locate(job: plan.spec.name, stateDirectory: launcher.stateDirectory)
    }
}

extension CLI {
    /// `path` made absolute against this process's directory: the running job resolves paths against its own.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var rest = Substring(path)
        while rest.hasPrefix("./") { rest = rest.dropFirst(2) }
        let cwd = FileManager.default.currentDirectoryPath
        return rest.isEmpty || rest == "." ? cwd : cwd + "/" + rest
    }
}
