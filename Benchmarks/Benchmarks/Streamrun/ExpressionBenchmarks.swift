import Benchmark
import StreamrunCore
import StreamrunPlan

/// Vectorized expression evaluation over bid batches.
enum ExpressionBenchmarks {
    /// One of each kind of kernel: integer arithmetic and comparison, float arithmetic, a string
    /// function and a timestamp-to-string function.
    static let expressions = ["auction % 123 == 0", "price * 0.908", "lower(channel)", "date(dateTime)"]

    static func register() {
        for source in expressions {
            Benchmark("Expression \(source)", configuration: .micro(seconds: 2)) { benchmark in
                let batches = Fixtures.bidBatches
                let expression = try ExpressionCompiler.compile(source, schema: Fixtures.schema).get()
                for _ in benchmark.scaledIterations {
                    try benchmark.recordingRows { () throws(StreamrunError) in
                        var rows = 0
                        for batch in batches {
                            blackHole(try expression.evaluate(batch))
                            rows += batch.count
                        }
                        return rows
                    }
                }
            } setup: {
                _ = Fixtures.bidBatches
            }
        }
    }
}
