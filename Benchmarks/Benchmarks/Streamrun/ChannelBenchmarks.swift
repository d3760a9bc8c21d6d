import Benchmark
import StreamrunCore
import StreamrunRuntime

/// Moving batches between tasks through an ``InputGate``.
enum ChannelBenchmarks {
    /// Batches sent per iteration: 512 × 2048 rows, about a million rows.
    static let batchesPerIteration = 512

    static func register() {
        Benchmark("InputGate 2048-row batches", configuration: .micro()) { benchmark in
            // Sending a batch shares its storage, so one batch sent many times is the same work as
            // many batches; the gate never looks inside it.
            let batch = Fixtures.bidBatches[0]
            precondition(batch.count == Fixtures.batchRows, "the first fixture batch is a full batch")
            for _ in benchmark.scaledIterations {
                try await benchmark.recordingRows { try await pump(batch, times: batchesPerIteration) }
            }
        } setup: {
            _ = Fixtures.bidBatches
        }
    }

    /// Sends `batch` `times` times, then end-of-input, from one task through one gate (with the
    /// engine's default capacity) to a consumer task. Returns the rows the consumer received.
    static func pump(_ batch: RecordBatch, times: Int) async throws -> Int {
        let gate = InputGate(inputs: 1, capacity: JobRunner.Options().channelCapacity)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for _ in 0..<times { try await gate.send(.records(batch), input: 0) }
                try await gate.send(.endOfInput, input: 0)
                return 0
            }
            group.addTask {
                var rows = 0
                while let (_, element) = try await gate.next() {
                    if case .records(let b) = element { rows += b.count }
                }
                return rows
            }
            let rows = try await group.reduce(0, +)
            precondition(rows == times * batch.count, "InputGate: received \(rows) rows, sent \(times * batch.count)")
            return rows
        }
    }
}
