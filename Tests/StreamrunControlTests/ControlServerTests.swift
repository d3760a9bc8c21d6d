import Foundation
import StreamrunJob
import StreamrunControl
import StreamrunCore
import Testing

/// The server's lifecycle: control.json while it runs, a clear error when the port is taken, and the
/// client's view of a job that is not running.
@Suite(.serialized) struct ControlServerTests {
    @Test func controlFileNamesTheEndpointWhileTheJobRuns() async throws {
        var state = ""
        try await RunningJob.with(name: "control-file") { job in
            state = job.launcher.stateDirectory
            let address = try #require(ControlFile.read(in: state))
            #expect(address.url == job.url && address.pid == getpid())
            #expect(address.token == job.token && address.token.count == 64)
            #expect(job.url.hasPrefix("http://127.0.0.1:") && job.url != "http://127.0.0.1:0")
            var client = try ControlClient.locate(job: "control-file", stateDirectory: state)
            client.timeout = .seconds(300)  // the server answers from this (busy) test process
            #expect(try await client.status().job == "control-file")
        }
        #expect(!FileManager.default.fileExists(atPath: ControlFile.path(in: state)))
    }

    @Test func portInUseIsAClearError() async throws {
        try await RunningJob.with(name: "port-taken") { (job: RunningJob) async throws in
            let port = try #require(Int(job.url.split(separator: ":").last ?? ""))
            let (other, _) = try RunningJob.launcher(name: "port-taken-2", checkpoints: false)
            var caught: StreamrunError?
            do throws(StreamrunError) {
                try await ControlServer(launcher: other, port: port).serve { _ in }
            } catch {
                caught = error
            }
            let message = caught?.description ?? "no error"
            #expect(message.contains("cannot start the control endpoint on 127.0.0.1:\(port)"), "\(message)")
        }
    }

    @Test func notRunningJobIsNamed() throws {
        let dir = try RunningJob.tempDir("not-running")
        #expect(throws: StreamrunError.self) { try ControlClient.locate(job: "q5", stateDirectory: dir.path + "/state/q5") }
        do {
            _ = try ControlClient.locate(job: "q5", stateDirectory: "state/q5")
        } catch {
            #expect(error.description == #"job "q5" is not running (no control endpoint in state/q5)"#)
            #expect(error.code == .notRunning)
        }
        // A control.json left by a killed process does not count.
        try ControlFile.write(ControlAddress(url: "http://127.0.0.1:1", pid: Int32.max), in: dir.path)
        #expect(ControlFile.read(in: dir.path) == nil)
        try ControlFile.write(ControlAddress(url: "http://127.0.0.1:1", pid: getpid()), in: dir.path)
        #expect(ControlFile.read(in: dir.path)?.url == "http://127.0.0.1:1")
        ControlFile.remove(in: dir.path, pid: getpid() + 1)  // not ours: kept
        #expect(ControlFile.read(in: dir.path) != nil)
        ControlFile.remove(in: dir.path)
        #expect(ControlFile.read(in: dir.path) == nil)
    }

    @Test func jobThatEndsBeforeAnsweringIsNamed() async throws {
        let dir = try RunningJob.tempDir("ended")
        // An address where nothing listens, as left by a job that just ended.
        try ControlFile.write(ControlAddress(url: "http://127.0.0.1:1", pid: getpid()), in: dir.path)
        let client = try ControlClient.locate(job: "q5", stateDirectory: dir.path)
        ControlFile.remove(in: dir.path)
        var caught: StreamrunError?
        do throws(StreamrunError) {
            _ = try await client.status()
        } catch {
            caught = error
        }
        #expect(caught?.description == #"job "q5" ended before it answered (its control endpoint at http://127.0.0.1:1 closed)"#)
    }

    @Test func clientRethrowsTheJobsError() async throws {
        try await RunningJob.with(name: "client-errors") { (job: RunningJob) async throws in
            var client = ControlClient(url: job.url)
            client.token = job.token
            client.timeout = .seconds(300)  // the server answers from this (busy) test process
            var caught: StreamrunError?
            do throws(StreamrunError) {
                _ = try await client.savepoint()
            } catch {
                caught = error
            }
            #expect(caught?.code == .usage && caught?.description.contains("has no checkpoints section") == true, "\(String(describing: caught))")
            #expect(try await client.checkpoints().checkpoints.isEmpty)
            #expect(try await client.metrics().contains(JobMetricsBridge.Name.recordsIn))
            #expect(try await client.stop(savepoint: false) == nil)
        }
    }
}
