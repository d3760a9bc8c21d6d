import StreamrunCore
import Synchronization

/// The bounded, batch-carrying channel in front of a task: one queue per upstream producer, one consumer.
///
/// Each upstream subtask owns one input index and sends ``StreamElement``s to it in order; the consuming
/// task calls ``next()`` and gets elements tagged with their input, so it can combine watermarks per input
/// and align checkpoint barriers (``block(input:)``). Capacity is counted in records per input.
///
/// - Important: ``send(_:input:)`` suspends while that input's queue is full (backpressure: nothing is
///   dropped and memory stays bounded). After ``fail()`` every pending and future call throws
///   `CancellationError`.
public final class InputGate: Sendable {
    typealias Machine = StateMachine<CheckedContinuation<Void, any Error>, CheckedContinuation<(Int, StreamElement)?, any Error>>

    private let state: Mutex<Machine>
    public let inputCount: Int
    public let capacity: Int

    public init(inputs: Int, capacity: Int) {
        self.inputCount = inputs
        self.capacity = capacity
        self.state = Mutex(Machine(inputs: inputs, capacity: capacity))
    }

    /// Sends one element on input `i`, suspending while its queue is full; the time spent suspended
    /// is counted in `waited` when given (from the moment it starts, so a wait that never ends shows).
    public func send(_ element: StreamElement, input i: Int, waited: BlockedTime? = nil) async throws {
        while true {
            let action = state.withLock { $0.send(element, input: i) }
            switch action {
            case .enqueued(let consumer, let e):
                if let consumer, let e { consumer.resume(returning: e) }
                return
            case .fail:
                throw CancellationError()
            case .suspend:
                waited?.begin()
                defer { waited?.end() }
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let parked = state.withLock { $0.suspendProducer(c, input: i) }
                    if !parked {
                        if state.withLock({ $0.failed }) { c.resume(throwing: CancellationError()) } else { c.resume() }
                    }
                }
            }
        }
    }

    /// The next element from any input, round-robin, or nil once every input has sent `endOfInput`
    /// or `suspend`. Those elements themselves are delivered too, so the consumer knows which input ended.
    public func next() async throws -> (input: Int, element: StreamElement)? {
        while true {
            let action = state.withLock { $0.next() }
            switch action {
            case .element(let i, let e, let producer):
                producer?.resume()
                return (i, e)
            case .finished:
                return nil
            case .fail:
                throw CancellationError()
            case .suspend:
                let got: (Int, StreamElement)? = try await withCheckedThrowingContinuation { c in
                    let parked = state.withLock { $0.suspendConsumer(c) }
                    if !parked {
                        if state.withLock({ $0.failed }) { c.resume(throwing: CancellationError()) } else { c.resume(returning: nil) }
                    }
                }
                if let got { return got }
                // nil here means "retry": look at the queues again.
            }
        }
    }

    /// Holds back input `i` until ``unblock(_:)``: elements stay queued (its producer is backpressured).
    public func block(input i: Int) { state.withLock { $0.block(input: i) } }

    /// Releases the given inputs, waking the consumer if one of them has elements waiting.
    public func unblock(_ inputs: [Int]) {
        let consumer = state.withLock { $0.unblock(inputs) }
        consumer?.resume(returning: nil)  // nil: look at the queues again
    }

    /// Fails the gate, waking every parked producer and the consumer with `CancellationError`.
    public func fail() {
        let (producers, consumer) = state.withLock { $0.fail() }
        for p in producers { p.resume(throwing: CancellationError()) }
        consumer?.resume(throwing: CancellationError())
    }

    /// Records buffered across all inputs right now.
    public var bufferedRecords: Int { state.withLock { $0.bufferedWeight } }
}
