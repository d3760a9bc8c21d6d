import DequeModule
import StreamrunCore

extension InputGate {
    /// The gate's state, changed only under the gate's lock. Every transition returns an action that
    /// the caller performs after releasing the lock (resuming continuations never happens inside it).
    ///
    /// Capacity is counted in records per input: a batch weighs its row count, a control element 1.
    /// A send into an empty queue always succeeds, so a batch larger than the capacity still moves.
    /// A blocked producer is woken only once its queue has drained to half, not on every freed slot.
    struct StateMachine<Producer, Consumer> {
        struct Input {
            var queue: Deque<StreamElement> = []
            var weight = 0
            var closed = false
            var waitingProducer: Producer?
            /// Elements from this input are held back: it delivered the barrier being aligned.
            var blocked = false
        }

        enum SendAction {
            /// Enqueued; resume the waiting consumer with this element, if one is given.
            case enqueued(resumeConsumer: Consumer?, element: (Int, StreamElement)?)
            /// Queue full: the producer must suspend (and call `suspendProducer`).
            case suspend
            /// The gate failed or the input was closed: the send fails.
            case fail
        }

        enum NextAction {
            case element(Int, StreamElement, resumeProducer: Producer?)
            /// Every input is closed and drained.
            case finished
            case suspend
            case fail
        }

        let capacity: Int
        var inputs: [Input]
        var waitingConsumer: Consumer?
        var failed = false
        /// Round-robin position, so one busy input cannot starve the others.
        var cursor = 0

        init(inputs: Int, capacity: Int) {
            precondition(inputs > 0 && capacity > 0)
            self.capacity = capacity
            self.inputs = Array(repeating: Input(), count: inputs)
        }

        mutating func send(_ element: StreamElement, input i: Int) -> SendAction {
            if failed || inputs[i].closed { return .fail }
            if inputs[i].weight >= capacity && !inputs[i].queue.isEmpty { return .suspend }
            if element.closesInput { inputs[i].closed = true }
            // Hand the element straight to a waiting consumer if it may take from this input.
            if let c = waitingConsumer, !inputs[i].blocked {
                waitingConsumer = nil
                return .enqueued(resumeConsumer: c, element: (i, element))
            }
            inputs[i].queue.append(element)
            inputs[i].weight += element.weight
            return .enqueued(resumeConsumer: nil, element: nil)
        }

        /// Parks a producer whose `send` returned `.suspend`; returns false if it may retry at once.
        mutating func suspendProducer(_ p: Producer, input i: Int) -> Bool {
            if failed { return false }
            if inputs[i].weight >= capacity && !inputs[i].queue.isEmpty {
                inputs[i].waitingProducer = p
                return true
            }
            return false
        }

        mutating func next() -> NextAction {
            if failed { return .fail }
            let n = inputs.count
            for k in 0..<n {
                let i = (cursor + k) % n
                guard !inputs[i].blocked, let e = inputs[i].queue.popFirst() else { continue }
                cursor = (i + 1) % n
                inputs[i].weight -= e.weight
                var wake: Producer?
                if inputs[i].waitingProducer != nil && inputs[i].weight <= capacity / 2 {
                    wake = inputs[i].waitingProducer
                    inputs[i].waitingProducer = nil
                }
                return .element(i, e, resumeProducer: wake)
            }
            if inputs.allSatisfy({ $0.closed && $0.queue.isEmpty }) { return .finished }
            return .suspend
        }

        /// Parks the consumer after `next` returned `.suspend`; returns false if it may retry at once.
        mutating func suspendConsumer(_ c: Consumer) -> Bool {
            if failed { return false }
            if inputs.contains(where: { !$0.blocked && !$0.queue.isEmpty }) { return false }
            if inputs.allSatisfy({ $0.closed && $0.queue.isEmpty }) { return false }
            waitingConsumer = c
            return true
        }

        /// Holds back input `i` (barrier alignment): `next` skips it until it is unblocked.
        mutating func block(input i: Int) { inputs[i].blocked = true }

        /// Releases inputs; returns the parked consumer if it can now take an element.
        mutating func unblock(_ list: [Int]) -> Consumer? {
            for i in list { inputs[i].blocked = false }
            guard waitingConsumer != nil, list.contains(where: { !inputs[$0].queue.isEmpty }) else { return nil }
            defer { waitingConsumer = nil }
            return waitingConsumer
        }

        /// Fails the gate: every parked producer and consumer must be resumed with an error.
        mutating func fail() -> (producers: [Producer], consumer: Consumer?) {
            failed = true
            var ps: [Producer] = []
            for i in inputs.indices {
                if let p = inputs[i].waitingProducer { ps.append(p) }
                inputs[i].waitingProducer = nil
                inputs[i].queue.removeAll()
                inputs[i].weight = 0
            }
            let c = waitingConsumer
            waitingConsumer = nil
            return (ps, c)
        }

        /// Records waiting in all queues (for metrics and tests).
        var bufferedWeight: Int { inputs.reduce(0) { $0 + $1.weight } }
    }
}
