import Benchmark

/// The streamrun benchmark suite. BenchmarkPlugin generates the `@main` runner that calls this.
///
/// Micro benchmarks run over 100k Nexmark bids built in memory; macro benchmarks run whole jobs
/// over a 1M-bid file. Every benchmark reports `rows/s` (see ``BenchmarkMetric/rowsPerSecond``).
let benchmarks: @Sendable () -> Void = {
    FormatBenchmarks.register()
    ExpressionBenchmarks.register()
    ChannelBenchmarks.register()
    EndToEndBenchmarks.register()
}
