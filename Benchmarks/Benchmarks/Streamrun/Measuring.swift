import Benchmark

extension BenchmarkMetric {
    /// Rows processed per second of measured work: the engine's unit of throughput.
    ///
    /// The built-in `.throughput` counts benchmark iterations per second as a whole number, so it
    /// cannot express "1.2 M rows/s" (and rounds a 2 s macro run to nothing); every benchmark here
    /// records this metric as well.
    static var rowsPerSecond: BenchmarkMetric {
        .custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)
    }
}

extension Benchmark.Configuration {
    /// Micro benchmarks: one iteration is one pass over an in-memory fixture (about 1 to 50 ms).
    static func micro(mallocs: Bool = true, seconds: Int64 = 3) -> Self {
        .init(
            metrics: [.wallClock, .throughput, .rowsPerSecond] + (mallocs ? [.mallocCountTotal] : []),
            warmupIterations: 3,
            maxDuration: .seconds(seconds),
            maxIterations: 1_000
        )
    }

    /// Macro benchmarks: one iteration is a whole job run over a file (seconds each), so only a few.
    static var macro: Self {
        .init(
            metrics: [.wallClock, .rowsPerSecond, .mallocCountTotal, .peakMemoryResident],
            warmupIterations: 1,
            maxDuration: .seconds(20),
            maxIterations: 4
        )
    }
}

extension Benchmark {
    /// Runs `body`, which returns how many rows it processed, and records ``BenchmarkMetric/rowsPerSecond``.
    func recordingRows<E: Error>(_ body: () throws(E) -> Int) throws(E) {
        let clock = ContinuousClock()
        let start = clock.now
        let rows = try body()
        record(rows: rows, in: start.duration(to: clock.now))
    }

    /// The async form of ``recordingRows(_:)``.
    func recordingRows<E: Error>(_ body: () async throws(E) -> Int) async throws(E) {
        let clock = ContinuousClock()
        let start = clock.now
        let rows = try await body()
        record(rows: rows, in: start.duration(to: clock.now))
    }

    private func record(rows: Int, in elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        guard nanoseconds > 0 else { return }
        measurement(.rowsPerSecond, Int((Double(rows) * 1e9 / nanoseconds).rounded()))
    }
}
