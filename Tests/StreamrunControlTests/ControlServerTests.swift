import Foundation
import StreamrunConnectors
import StreamrunControl
import StreamrunCore
import Testing

/// The server's lifecycle: control.json while it runs, a clear error when the port is taken, and the
/// client's view of a job that is not running.
@Suite struct ControlServerTests {
    @Test func controlFileNamesTheEndpointWhileTheJobRuns() async throws {
        var state = ""
        try await RunningJob.with(name: "control-file") { job in
            state = job.launcher.stateDirectory
            let address = try #require(ControlFile.read(in: state))
            #expect(address.url == job.url && address.pid == getpid())
            #expect(job.url.hasPrefix("http://127.0.0.1:") && job.url != "http://127.0.0.1:0")
            let client = try ControlClient.locate(job: "control-file", stateDirectory: state)
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

    @Test func clientRethrowsTheJobsError() async throws {
        try await RunningJob.with(name: "client-errors") { (job: RunningJob) async throws in
            let client = ControlClient(url: job.url)
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
