import Benchmark
import Foundation
import StreamrunJob

/// Whole jobs, as `streamrun bench` runs them: q0 (passthrough), q2 (filter), q5 (tumbling window
/// count), over a file of a million bids at parallelism 2.
///
/// The input is written once by the engine into `<temp>/streamrun-benchmarks/` and reused by
/// later runs (delete the folder to regenerate it). Each run writes its output to a fresh scratch
/// folder beside it, removed after the run and outside the measurement.
enum EndToEndBenchmarks {
    static let events = 1_000_000
    static let parallelism = 2
    static let queryNames = ["q0", "q2", "q5"]

    static var directory: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("streamrun-benchmarks").path
    }

    static func register() {
        for name in queryNames {
            guard let query = Bench.queries.first(where: { $0.name == name }) else {
                preconditionFailure("Bench.queries has no \(name)")
            }
            Benchmark("EndToEnd \(name) 1M bids p\(parallelism)", configuration: .macro) { benchmark in
                let input = try await prepareInput()
                let scratch = "\(directory)/run-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
                try? FileManager.default.removeItem(atPath: scratch)
                benchmark.startMeasurement()
                try await benchmark.recordingRows {
                    let summary = try await Bench.run(query, input: input, parallelism: parallelism, scratch: scratch)
                    precondition(summary.recordsIn == events, "\(name): read \(summary.recordsIn) bids, expected \(events)")
                    return summary.recordsIn
                }
                benchmark.stopMeasurement()
                try? FileManager.default.removeItem(atPath: scratch)
            } setup: {
                _ = try await prepareInput()
            }
        }
    }

    /// The path of the bids file, written first if it is not there yet.
    static func prepareInput() async throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try await Bench.prepareInput(events: events, dir: directory)
    }
}
