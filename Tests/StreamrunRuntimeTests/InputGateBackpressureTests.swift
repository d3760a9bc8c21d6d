import StreamrunCore
import Synchronization
import Testing

@testable import StreamrunRuntime

/// The real gate with real tasks: a fast producer behind a slow consumer stays within capacity.
@Suite struct InputGateBackpressureTests {
    final class MaxSeen: Sendable {
        let value = Mutex(0)
        func observe(_ v: Int) { value.withLock { $0 = max($0, v) } }
    }

    @Test func fastProducerSlowConsumerStaysBounded() async throws {
        let capacity = 1000
        let gate = InputGate(inputs: 1, capacity: capacity)
        let batchRows = 100
        let batches = 300
        let maxSeen = MaxSeen()
        let received = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<batches {
                    let b = RecordBatch(count: batchRows, columns: [Column(.int(Array(repeating: Int64(i), count: batchRows)))])
                    try await gate.send(.records(b), input: 0)
                    maxSeen.observe(gate.bufferedRecords)
                }
                try await gate.send(.endOfInput, input: 0)
                return 0
            }
            group.addTask {
                var rows = 0
                var expected: Int64 = 0
                while let (_, e) = try await gate.next() {
                    if case .records(let b) = e {
                        // Order is preserved within the input.
                        guard case .int(let a) = b.columns[0].storage, a[0] == expected else { throw CancellationError() }
                        expected += 1
                        rows += b.count
                        maxSeen.observe(gate.bufferedRecords)
                        if rows % 2000 == 0 { try await Task.sleep(for: .milliseconds(1)) }  // slow sink
                    }
                }
                return rows
            }
            var total = 0
            for try await r in group { total += r }
            return total
        }
        #expect(received == batchRows * batches)
        // Never more than the capacity plus the one batch that may enter a non-full queue.
        let peak = maxSeen.value.withLock { $0 }
        #expect(peak <= capacity + batchRows)
    }

    @Test func failWakesParkedProducer() async throws {
        let gate = InputGate(inputs: 1, capacity: 1)
        try await gate.send(.watermark(1), input: 0)
        let producer = Task { try await gate.send(.watermark(2), input: 0) }
        try await Task.sleep(for: .milliseconds(20))
        gate.fail()
        await #expect(throws: CancellationError.self) { try await producer.value }
    }
}
