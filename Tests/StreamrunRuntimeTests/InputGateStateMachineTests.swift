import StreamrunCore
import Testing

@testable import StreamrunRuntime

/// The gate's state machine, driven synchronously with plain tokens standing in for continuations.
@Suite struct InputGateStateMachineTests {
    typealias Machine = InputGate.StateMachine<String, String>

    static func batch(_ n: Int) -> StreamElement {
        .records(RecordBatch(count: n, columns: [Column(.int(Array(repeating: 7, count: n)))]))
    }

    @Test func sendIntoEmptyQueueAlwaysSucceedsEvenIfLargerThanCapacity() {
        var m = Machine(inputs: 1, capacity: 10)
        guard case .enqueued = m.send(Self.batch(50), input: 0) else { Issue.record("expected enqueue"); return }
        #expect(m.bufferedWeight == 50)
        guard case .suspend = m.send(Self.batch(1), input: 0) else { Issue.record("expected suspend when full"); return }
    }

    @Test func capacityCountsRecordsNotBatches() {
        var m = Machine(inputs: 1, capacity: 100)
        for _ in 0..<3 {
            guard case .enqueued = m.send(Self.batch(30), input: 0) else { Issue.record("expected enqueue"); return }
        }
        #expect(m.bufferedWeight == 90)
        guard case .enqueued = m.send(Self.batch(30), input: 0) else { Issue.record("90 < 100 should enqueue"); return }
        guard case .suspend = m.send(.watermark(1), input: 0) else { Issue.record("120 ≥ 100 should suspend"); return }
    }

    @Test func blockedProducerIsWokenOnlyAfterDrainingToHalf() {
        var m = Machine(inputs: 1, capacity: 100)
        for _ in 0..<4 { _ = m.send(Self.batch(30), input: 0) }  // 120 buffered
        guard case .suspend = m.send(Self.batch(30), input: 0) else { Issue.record("expected suspend"); return }
        let parked = m.suspendProducer("P", input: 0)
        #expect(parked)
        // 120 → 90 → 60: still above half, producer stays parked.
        for expectedWeight in [90, 60] {
            guard case .element(_, _, let wake) = m.next() else { Issue.record("expected element"); return }
            #expect(wake == nil)
            #expect(m.bufferedWeight == expectedWeight)
        }
        // 60 → 30 ≤ 50: wake.
        guard case .element(_, _, let wake) = m.next() else { Issue.record("expected element"); return }
        #expect(wake == "P")
    }

    @Test func consumerWaitsThenGetsElementHandedOver() {
        var m = Machine(inputs: 2, capacity: 10)
        guard case .suspend = m.next() else { Issue.record("empty gate should suspend"); return }
        let parked = m.suspendConsumer("C")
        #expect(parked)
        guard case .enqueued(let c, let e) = m.send(.watermark(5), input: 1) else { Issue.record("expected enqueue"); return }
        #expect(c == "C")
        #expect(e?.0 == 1)
        #expect(m.bufferedWeight == 0)
    }

    @Test func roundRobinAcrossInputsAndOrderWithinInput() {
        var m = Machine(inputs: 2, capacity: 100)
        _ = m.send(.watermark(1), input: 0)
        _ = m.send(.watermark(2), input: 0)
        _ = m.send(.watermark(10), input: 1)
        var got: [(Int, Watermark)] = []
        while case .element(let i, let e, _) = m.next() {
            if case .watermark(let w) = e { got.append((i, w)) }
        }
        #expect(got.map(\.0) == [0, 1, 0])
        #expect(got.map(\.1) == [1, 10, 2])
    }

    @Test func finishedOnlyWhenEveryInputEndedAndDrained() {
        var m = Machine(inputs: 2, capacity: 10)
        _ = m.send(.endOfInput, input: 0)
        guard case .element(0, .endOfInput, _) = m.next() else { Issue.record("expected end of input 0"); return }
        guard case .suspend = m.next() else { Issue.record("input 1 still open"); return }
        _ = m.send(.endOfInput, input: 1)
        _ = m.next()
        guard case .finished = m.next() else { Issue.record("expected finished"); return }
        guard case .fail = m.send(.watermark(1), input: 1) else { Issue.record("send after end must fail"); return }
    }

    @Test func failWakesEveryoneAndRejectsFurtherCalls() {
        var m = Machine(inputs: 2, capacity: 1)
        _ = m.send(Self.batch(1), input: 0)
        _ = m.send(Self.batch(1), input: 0)
        let parked = m.suspendProducer("P0", input: 0)
        #expect(parked)
        let (producers, consumer) = m.fail()
        #expect(producers == ["P0"])
        #expect(consumer == nil)
        guard case .fail = m.next() else { Issue.record("next after fail must fail"); return }
        guard case .fail = m.send(Self.batch(1), input: 1) else { Issue.record("send after fail must fail"); return }
    }
}

@Suite struct InputGateBlockingTests {
    typealias Machine = InputGate.StateMachine<String, String>

    @Test func blockedInputIsSkippedUntilUnblocked() {
        var m = Machine(inputs: 2, capacity: 10)
        _ = m.send(.watermark(1), input: 0)
        _ = m.send(.watermark(2), input: 1)
        m.block(input: 0)
        guard case .element(1, _, _) = m.next() else { Issue.record("expected input 1"); return }
        guard case .suspend = m.next() else { Issue.record("input 0 is blocked"); return }
        let parked = m.suspendConsumer("C")
        #expect(parked)
        #expect(m.unblock([0]) == "C")
        guard case .element(0, _, _) = m.next() else { Issue.record("expected input 0"); return }
    }

    @Test func sendToBlockedInputQueuesInsteadOfHandingOver() {
        var m = Machine(inputs: 2, capacity: 10)
        m.block(input: 0)
        guard case .suspend = m.next() else { Issue.record("empty"); return }
        _ = m.suspendConsumer("C")
        guard case .enqueued(nil, nil) = m.send(.watermark(1), input: 0) else { Issue.record("must not wake for a blocked input"); return }
        #expect(m.bufferedWeight == 1)
    }
}
