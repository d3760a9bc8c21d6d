import ArgumentParser
import Foundation
import StreamrunJob
import StreamrunCore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput of the Nexmark query shapes (q0 passthrough, q1 map, q2 filter, q5 window) over a bids file.",
        discussion: "The bids file is generated once into --dir and reused. Each query runs --runs times; the median is reported."
    )

    @Option(help: "Number of bids in the input file.")
    var events = 1_000_000

    @Option(name: .shortAndLong, help: "Parallelism of every stage.")
    var parallelism = 2

    @Option(help: "Queries to run, comma separated (q0,q1,q2,q5).")
    var queries = "q0,q1,q2,q5"

    @Option(help: "Runs per query (median reported).")
    var runs = 3

    @Option(help: "Take checkpoints at this interval (for example 1s) into the scratch directory; off by default.")
    var checkpointInterval: String?

    @Flag(help: "Declare constraints on every bid field (min, max, nullable, lengths) to measure what checking them costs.")
    var constraints = false

    @Option(help: "Working directory for the input file and scratch output.")
    var dir = ".bench"

    func run() async throws {
        try await CLI.guarded {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: Bench.inputPath(events: events, dir: dir)) {
                FileHandle.standardOutput.write(Data("writing \(events) bids to \(Bench.inputPath(events: events, dir: dir)) (once; later runs reuse it)…\n".utf8))
            }
            let input = try await Bench.prepareInput(events: events, dir: dir, statusLine: isatty(STDERR_FILENO) != 0)
            let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
            print("input: \(input) (\(events) bids, \(size / 1_000_000) MB), parallelism \(parallelism), median of \(runs) runs"
                + (constraints ? ", with constraints on every field" : ""))
            let wanted = queries.split(separator: ",").map(String.init)
            for q in Bench.queries where wanted.contains(q.name) {
                var rates: [Double] = []
                var checkpoints: [CheckpointHistory.Entry] = []
                for r in 0..<runs {
                    let scratch = "\(dir)/run-\(q.name)-\(r)"
                    try? FileManager.default.removeItem(atPath: scratch)
                    let s = try await Bench.run(q, input: input, parallelism: parallelism, scratch: scratch,
                                                checkpointInterval: checkpointInterval, constraints: constraints)
                    checkpoints += s.checkpoints
                    rates.append(Double(s.recordsIn) / s.elapsedSeconds)
                    try? FileManager.default.removeItem(atPath: scratch)
                }
                rates.sort()
                let median = rates[rates.count / 2]
                let text = String(format: "%@  %6.2fM events/s  (min %.2fM, max %.2fM)  %@", q.name, median / 1e6,
                                  rates.first! / 1e6, rates.last! / 1e6, q.description)
                print(text)
                if checkpointInterval != nil, !checkpoints.isEmpty {
                    let durations = checkpoints.compactMap(\.durationMs).sorted()
                    let sizes = checkpoints.compactMap(\.sizeBytes).sorted()
                    print("    \(checkpoints.count) checkpoints (\(checkpoints.count / runs) per run): duration median \(durations[durations.count / 2]) ms, "
                        + "max \(durations.last!) ms; size median \(sizes[sizes.count / 2] / 1024) KiB, max \(sizes.last! / 1024) KiB")
                }
            }
        }
    }
}
