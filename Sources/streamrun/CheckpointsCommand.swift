import ArgumentParser
import Foundation
import StreamrunCheckpoint
import StreamrunJob
import StreamrunCore
import StreamrunPlan

struct CheckpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "Inspect a job's checkpoints: list them, verify every checksum, or show one.",
        discussion: "ls and verify take a job.json (its checkpoints.dir is used) or a checkpoints directory; show takes one checkpoint directory.",
        subcommands: [List.self, Verify.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List checkpoints: id, time taken (UTC), size on disk and status (complete, incomplete, corrupt)."
        )

        @Argument(help: "A job.json, or a checkpoints directory.")
        var target: String

        func run() async throws {
            try await CLI.guarded {
                let store = CheckpointStore(root: try CheckpointsCommand.root(of: target))
                let listing = try store.list()
                if listing.isEmpty {
                    print("no checkpoints in \(store.paths.root)")
                    return
                }
                print(CheckpointsCommand.table(listing))
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check every checksum of a checkpoint and decode every state file; exit code 1 if any is bad.",
            discussion: "Given one checkpoint or savepoint directory (chk-000017, sp-000003), verifies it. Given a checkpoints directory or a "
                + "job.json, verifies every complete or corrupt checkpoint in it (incomplete ones are reported and skipped)."
        )

        @Argument(help: "A checkpoint or savepoint directory (chk-NNNNNN, sp-NNNNNN), a checkpoints directory, or a job.json.")
        var target: String

        func run() async throws {
            try await CLI.guarded {
                let store: CheckpointStore
                let ids: [CheckpointID]
                if let single = CheckpointPaths.containing(target) {
                    store = CheckpointStore(paths: single.paths)
                    ids = [single.id]
                } else {
                    store = CheckpointStore(root: try CheckpointsCommand.root(of: target))
                    let listing = try store.list()
                    if listing.isEmpty { print("no checkpoints in \(store.paths.root)") }
                    for info in listing where info.status == .incomplete {
                        print("\(CheckpointPaths.directoryName(info.id)): incomplete (no \(CheckpointPaths.manifestName)), skipped")
                    }
                    ids = listing.filter { $0.status != .incomplete }.map(\.id)
                }
                var bad = 0
                for id in ids {
                    let result = try store.verify(id)
                    for f in result.files {
                        print("\(CheckpointsCommand.relative(f.path, to: store.paths.root)): \(f.problem ?? "ok")")
                    }
                    if !result.isValid {
                        bad += 1
                        CLI.logger.error("checkpoint \(id) failed verification (\(result.problems.count) bad file\(result.problems.count == 1 ? "" : "s"))")
                    }
                }
                if bad > 0 { throw ExitCode(1) }
            }
        }
    }

    /// The checkpoints directory named by `target`: a job.json's `checkpoints.dir`, or `target` itself.
    static func root(of target: String) throws(StreamrunError) -> String {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isDir)
        if exists && isDir.boolValue { return target }
        guard exists else {
            throw StreamrunError(.inputNotFound, "no such job.json or checkpoints directory", location: target)
        }
        let plan = try CLI.loadJob(target)
        guard let dir = plan.spec.checkpoints?.dir else {
            throw StreamrunError(.usage, "the job has no checkpoints.dir, so it takes no checkpoints", location: target)
        }
        return dir
    }

    static func table(_ listing: [CheckpointInfo]) -> String {
        let header = ["ID", "TIME (UTC)", "SIZE", "FILES", "STATUS"]
        let rows = listing.map { info in
            [info.id.description, info.timestampMs.map(iso8601) ?? "-", CheckpointSummary.size(info.sizeBytes), String(info.fileCount), info.status.description]
        }
        let widths = (0..<header.count - 1).map { c in ([header] + rows).map { $0[c].count }.max()! }
        return ([header] + rows).map { row in
            row.enumerated().map { c, cell in
                guard c < widths.count else { return cell }
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 || c == 2 || c == 3 ? pad + cell : cell + pad  // numbers right-aligned
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `2023-11-14T22:13:20.000Z`.
    static func iso8601(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }


    static func relative(_ path: String, to root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
