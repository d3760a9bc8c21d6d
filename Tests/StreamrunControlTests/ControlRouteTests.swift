import Foundation
import StreamrunJob
import StreamrunControl
import StreamrunCore
import Testing

/// Each route of the control endpoint, through a real HTTP client against a running job.
@Suite(.serialized) struct ControlRouteTests {
    @Test func jobShowsStateAndOperators() async throws {
        try await RunningJob.with(name: "route-job") { job in
            let json = try await poll("records to flow") { () -> [String: Any]? in
                let answer = try await HTTPAnswer.send("GET", job.url + "/job")
                #expect(answer.status == 200 && answer.contentType == "application/json")
                let json = try answer.json()
                let ops = json["operators"] as? [[String: Any]] ?? []
                return (ops.first?["recordsOut"] as? Int ?? 0) > 0 ? json : nil
            }
            #expect(json["job"] as? String == "route-job")
            #expect(json["state"] as? String == "running")
            #expect(json["restarts"] as? Int == 0)
            #expect((json["uptimeSeconds"] as? Double ?? -1) >= 0)
            let ops = try #require(json["operators"] as? [[String: Any]])
            #expect(ops.compactMap { $0["id"] as? String } == ["bids", "big", "out"])
            #expect(ops.compactMap { $0["type"] as? String } == ["source:generator", "filter", "sink:file"])
            for op in ops {
                #expect(op["recordsIn"] is Int && op["recordsOut"] is Int && op["backpressureMs"] is Int && op["parallelism"] is Int)
            }
        }
    }

    @Test func checkpointsListTheHistory() async throws {
        try await RunningJob.with(name: "route-checkpoints", checkpoints: true) { job in
            let done = try await poll("a completed checkpoint") { () -> [String: Any]? in
                let json = try await HTTPAnswer.send("GET", job.url + "/checkpoints").json()
                return (json["checkpoints"] as? [[String: Any]])?.first { $0["status"] as? String == "completed" }
            }
            #expect((done["id"] as? Int ?? 0) > 0)
            #expect(done["kind"] as? String == "checkpoint")
            #expect(done["durationMs"] is Int && done["sizeBytes"] is Int && done["triggeredAtMs"] is Int)
            let status = try await HTTPAnswer.send("GET", job.url + "/job").json()
            #expect((status["lastCheckpoint"] as? [String: Any])?["status"] as? String == "completed")
            #expect(try await HTTPAnswer.send("GET", job.url + "/checkpoints").json()["failures"] as? Int == 0)
        }
    }

    @Test func savepointReturnsItsPathOnceComplete() async throws {
        try await RunningJob.with(name: "route-savepoint", checkpoints: true) { job in
            let target = job.dir.appendingPathComponent("my-savepoints").path
            let answer = try await HTTPAnswer.send("POST", job.url + "/savepoints", body: #"{"dir": "\#(target)", "outsideRoot": true}"#,
                                                  token: job.token)
            #expect(answer.status == 200, "\(answer.text)")
            let path = try #require(try answer.json()["path"] as? String)
            #expect(path.hasPrefix(target + "/"))
            #expect(FileManager.default.fileExists(atPath: path))
            let history = try await HTTPAnswer.send("GET", job.url + "/checkpoints").json()["checkpoints"] as? [[String: Any]] ?? []
            #expect(history.contains { $0["kind"] as? String == "savepoint" && $0["path"] as? String == path })
            // Without a body: the default directory under the job's.
            let byDefault = try await HTTPAnswer.send("POST", job.url + "/savepoints", token: job.token)
            #expect(byDefault.status == 200, "\(byDefault.text)")
            #expect((try byDefault.json()["path"] as? String)?.hasPrefix(job.launcher.defaultSavepointRoot + "/") == true)
        }
    }

    @Test func savepointWithoutCheckpointsIsAClearError() async throws {
        try await RunningJob.with(name: "route-no-checkpoints") { job in
            let answer = try await HTTPAnswer.send("POST", job.url + "/savepoints", token: job.token)
            #expect(answer.status == 400)
            let json = try answer.json()
            #expect(json["code"] as? String == "usage")
            #expect((json["error"] as? String ?? "").contains("has no checkpoints section"), "\(answer.text)")
        }
    }

    @Test func stopWithSavepointEndsTheJob() async throws {
        var stopped: [String: Any] = [:]
        let outcome = try await RunningJob.with(name: "route-stop", checkpoints: true) { job in
            _ = try await poll("a completed checkpoint") { job.launcher.history.lastCompleted }
            let answer = try await HTTPAnswer.send("POST", job.url + "/stop", body: #"{"savepoint": true}"#, token: job.token)
            #expect(answer.status == 200, "\(answer.text)")
            stopped = try answer.json()
            let path = try #require(stopped["savepoint"] as? String)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(!job.launcher.status().state.isActive)
        }
        if case .failure(let e) = outcome { Issue.record("the stopped job failed: \(e)") }
    }

    @Test func stopWithoutSavepointAnswersNull() async throws {
        try await RunningJob.with(name: "route-stop-plain") { job in
            let answer = try await HTTPAnswer.send("POST", job.url + "/stop", token: job.token)
            #expect(answer.status == 200, "\(answer.text)")
            let json = try answer.json()
            #expect(json.keys.contains("savepoint") && json["savepoint"] is NSNull, "\(answer.text)")
        }
    }

    @Test func unknownRouteAndBadBodyAreJSONErrors() async throws {
        try await RunningJob.with(name: "route-errors") { job in
            let missing = try await HTTPAnswer.send("GET", job.url + "/jobs")
            #expect(missing.status == 404)
            #expect(try missing.json()["code"] as? String == "not-found")
            #expect((try missing.json()["error"] as? String ?? "").contains("GET /jobs"))
            let bad = try await HTTPAnswer.send("POST", job.url + "/savepoints", body: #"{"dir": 5}"#, token: job.token)
            #expect(bad.status == 400)
            #expect(try bad.json()["code"] as? String == "bad-request", "\(bad.text)")
        }
    }
}

extension JobStatus.State {
    var isActive: Bool { self == .starting || self == .running || self == .restarting }
}
