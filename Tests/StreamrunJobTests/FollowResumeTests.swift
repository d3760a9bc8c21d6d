import Foundation
import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunJob

/// A followed source resumes every file at its own offset, also files that appeared while the job
/// ran (whose splits are numbered again from 0 when a rescan finds them).
@Suite struct FollowResumeTests {
    typealias R = JobRestartTests

    /// Runs the job until `records` are committed, then stops it.
    func run(_ plan: JobPlan, _ dir: URL, until records: Int, between: () throws -> Void = {}) async throws -> [String] {
        let notices = R.Notices()
        let launcher = JobLauncher(plan: plan, options: .init(restartDelayMs: 10), logger: notices.logger)
        let run = Task { try await launcher.run(statusLine: false) }
        var failure: (any Error)?
        do {
            try between()
            try await R.waitUntil("\(records) records are committed", launcher: launcher, notices: notices) {
                R.committedRecords(dir.appendingPathComponent("out")) >= records
            }
        } catch {
            failure = error
        }
        launcher.requestStop()
        _ = try await run.value
        if let failure { throw failure }
        return notices.all
    }

    static func append(_ text: String, to url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
    }

    @Test func fileFoundWhileRunningResumesAtItsOwnOffset() async throws {
        let dir = try R.tempDir("follow-resume")
        let plan = try R.plan(dir, follow: true)
        let a = dir.appendingPathComponent("in/a.jsonl"), b = dir.appendingPathComponent("in/b.jsonl")
        try Data(R.lines(0..<100) { _ in "p0" }.utf8).write(to: a)
        _ = try await run(plan, dir, until: 100)

        // b.jsonl appears while the job runs: it is found by a rescan, and is longer than a.jsonl.
        _ = try await run(plan, dir, until: 2100) {
            let aside = dir.appendingPathComponent("b.jsonl")
            try Data(R.lines(100..<2100) { _ in "p1" }.utf8).write(to: aside)
            try FileManager.default.moveItem(at: aside, to: b)
        }
        // Both files grow while the job is stopped; the next run resumes each where it was.
        try Self.append(R.lines(2100..<2200) { _ in "p1" }, to: b)
        try Self.append(R.lines(2200..<2300) { _ in "p0" }, to: a)
        let notices = try await run(plan, dir, until: 2300)
        #expect(notices.contains { $0.hasPrefix("resuming from checkpoint ") }, "\(notices)")

        let ids = R.committed(dir.appendingPathComponent("out")).values
            .flatMap { $0.split(separator: "\n") }.compactMap { Int($0.prefix { $0 != "," }) }.sorted()
        #expect(ids == Array(0..<2300), "\(ids.count) records committed, \(Set(ids).count) distinct")
    }
}
