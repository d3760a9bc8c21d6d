import Foundation
import StreamrunControl
import StreamrunCore
import Testing

/// Issue 11, item 5: `POST /savepoints {"dir": "/anywhere/../etc/x"}` wrote the savepoint there. A
/// request's `dir` is now confined to the job's savepoint root; only `"outsideRoot": true` (what the
/// CLI's `--dir` sends, with the token) chooses another place.
@Suite(.serialized) struct SavepointDirectoryTests {
    /// The reproduction, with a temporary directory standing in for `/anywhere` and `/etc`: every
    /// way out of the root is a 400 that names the rule, and nothing is written.
    @Test func requestDirOutsideTheSavepointRootIsRefused() async throws {
        try await RunningJob.with(name: "confine-refused", checkpoints: true) { (job: RunningJob) async throws in
            let root = job.launcher.defaultSavepointRoot
            let escaped = job.dir.appendingPathComponent("escaped").path
            let attempts = [
                job.dir.path + "/anywhere/../escaped",  // the issue's "/anywhere/../etc/x"
                escaped,  // absolute, outside the root
                "../escaped",  // relative, climbing out
                "nightly/../../escaped",
                root + "/../escaped",
            ]
            for dir in attempts {
                let answer = try await HTTPAnswer.send("POST", job.url + "/savepoints", body: #"{"dir": "\#(dir)"}"#, token: job.token)
                #expect(answer.status == 400, "\(dir): \(answer.text)")
                let json = try answer.json()
                #expect(json["code"] as? String == "dir-outside-savepoint-root", "\(answer.text)")
                #expect((json["error"] as? String ?? "").contains("savepoint root \(root)"), "\(answer.text)")
            }
            // The same rule for the savepoint taken by a stop; the job goes on.
            let stop = try await HTTPAnswer.send("POST", job.url + "/stop", body: #"{"savepoint": true, "dir": "\#(escaped)"}"#,
                                                 token: job.token)
            #expect(stop.status == 400, "\(stop.text)")
            #expect(job.launcher.state == .running)
            // outsideRoot needs an absolute path.
            let relative = try await HTTPAnswer.send("POST", job.url + "/savepoints", body: #"{"dir": "../escaped", "outsideRoot": true}"#,
                                                     token: job.token)
            #expect(relative.status == 400, "\(relative.text)")
            #expect(!FileManager.default.fileExists(atPath: escaped))
            #expect(!FileManager.default.fileExists(atPath: job.dir.appendingPathComponent("savepoints/escaped").path))
        }
    }

    /// Inside the root is fine: a relative dir goes below it, an absolute one may name a place in it.
    /// Outside it, only with `"outsideRoot": true` (the streamrun commands' --dir).
    @Test func requestDirInsideTheRootOrExplicitlyOutsideIsTaken() async throws {
        try await RunningJob.with(name: "confine-taken", checkpoints: true) { (job: RunningJob) async throws in
            let root = job.launcher.defaultSavepointRoot
            func savepoint(_ body: String) async throws -> String {
                let answer = try await HTTPAnswer.send("POST", job.url + "/savepoints", body: body, token: job.token)
                #expect(answer.status == 200, "\(body): \(answer.text)")
                let path = try #require(try answer.json()["path"] as? String)
                #expect(FileManager.default.fileExists(atPath: path), "\(path)")
                return path
            }
            #expect(try await savepoint(#"{"dir": "nightly"}"#).hasPrefix(root + "/nightly/sp-"))
            #expect(try await savepoint(#"{"dir": "./weekly/./a"}"#).hasPrefix(root + "/weekly/a/sp-"))
            #expect(try await savepoint(#"{"dir": "\#(root)/monthly"}"#).hasPrefix(root + "/monthly/sp-"))
            let elsewhere = job.dir.appendingPathComponent("backups").path
            #expect(try await savepoint(#"{"dir": "\#(elsewhere)", "outsideRoot": true}"#).hasPrefix(elsewhere + "/sp-"))
        }
    }
}
