import StreamrunPlan
import Testing

@testable import StreamrunControl
@testable import StreamrunJob

/// Which alert gets which event (``AlertBook``), computed without a clock or a network: conditions,
/// `resolved`, and `escalateAfter`.
@Suite struct AlertBookTests {
    static func alert(_ on: [AlertSpec.Event], escalateAfterMs: Int64? = nil) -> AlertSpec {
        var a = AlertSpec(on: on, command: ["true"])
        a.escalateAfterMs = escalateAfterMs
        return a
    }

    static func event(_ kind: AlertSpec.Event, node: String? = nil, atMs: Int64 = 1_000, resolves: AlertSpec.Event? = nil) -> JobEvent {
        var e = JobEvent(event: kind, job: "j", message: "\(kind.rawValue) \(node ?? "")")
        e.timeMs = atMs
        e.node = node
        e.resolves = resolves
        return e
    }

    /// `circuit_open` of `node` (what the launcher sends when a breaker opens).
    static func opened(_ node: String, atMs: Int64 = 1_000) -> JobEvent { event(.circuitOpen, node: node, atMs: atMs) }
    /// `circuit_closed` of `node`, which resolves its `circuit_open`.
    static func closed(_ node: String, atMs: Int64 = 2_000) -> JobEvent { event(.circuitClosed, node: node, atMs: atMs, resolves: .circuitOpen) }

    /// (alert index, event name) of each delivery.
    static func names(_ deliveries: [(Int, JobEvent)]) -> [String] { deliveries.map { "\($0.0):\($0.1.event.rawValue)" } }

    @Test func eventsGoOnlyToSubscribedAlerts() {
        var book = AlertBook(alerts: [Self.alert([.jobFailed]), Self.alert([.checkpointFailed, .jobFailed]), Self.alert([.circuitOpen])])
        #expect(Self.names(book.take(Self.event(.jobFailed))) == ["0:job_failed", "1:job_failed"])
        #expect(Self.names(book.take(Self.event(.checkpointFailed))) == ["1:checkpoint_failed"])
        #expect(book.take(Self.event(.sourceFallback, node: "in")).isEmpty)
        #expect(Self.names(book.take(Self.opened("out"))) == ["2:circuit_open"])
        // Events that are no condition leave nothing open.
        #expect(book.open.keys.sorted() == ["circuit_open#out"])
    }

    @Test func aClosedCircuitResolvesTheOpenOne() throws {
        var book = AlertBook(alerts: [Self.alert([.circuitOpen]), Self.alert([.circuitOpen, .circuitClosed]), Self.alert([.jobFailed])])
        #expect(Self.names(book.take(Self.opened("out"))) == ["0:circuit_open", "1:circuit_open"])
        let out = book.take(Self.closed("out"))
        // The alert on circuit_open only is told it resolved; the one on both gets circuit_closed itself.
        #expect(Self.names(out) == ["0:resolved", "1:circuit_closed"])
        let resolved = out[0].1
        #expect(resolved.resolves == .circuitOpen && resolved.node == "out" && resolved.timeMs == 2_000)
        #expect(out[1].1.event == .circuitClosed)
        #expect(book.open.isEmpty)
        // Resolved once: a second close resolves nothing more.
        #expect(Self.names(book.take(Self.closed("out", atMs: 3_000))) == ["1:circuit_closed"])
    }

    @Test func aCloseOfAnotherNodeResolvesNothing() {
        var book = AlertBook(alerts: [Self.alert([.circuitOpen])])
        _ = book.take(Self.opened("a"))
        #expect(book.take(Self.closed("b")).isEmpty)
        #expect(book.open.keys.sorted() == ["circuit_open#a"])
        #expect(Self.names(book.take(Self.closed("a"))) == ["0:resolved"])
    }

    @Test func onlyAlertsThatWereToldAreResolved() {
        // An alert that did not get the condition (not on it) is not told it resolved.
        var book = AlertBook(alerts: [Self.alert([.circuitOpen]), Self.alert([.jobFailed])])
        _ = book.take(Self.opened("out"))
        #expect(Self.names(book.take(Self.closed("out"))) == ["0:resolved"])
        // A close with nothing open sends no resolved.
        #expect(book.take(Self.closed("out")).isEmpty)
    }

    @Test func conditionsEscalateEveryIntervalUntilResolved() {
        var book = AlertBook(alerts: [Self.alert([.circuitOpen], escalateAfterMs: 1_000), Self.alert([.circuitOpen])])
        _ = book.take(Self.opened("out", atMs: 10_000))
        #expect(book.due(nowMs: 10_000).isEmpty)
        #expect(book.due(nowMs: 10_999).isEmpty)
        let first = book.due(nowMs: 11_000)
        // Only the alert with escalateAfter repeats it.
        #expect(Self.names(first) == ["0:circuit_open"])
        #expect(first.first?.1.escalation == 1)
        #expect(first.first?.1.node == "out")
        #expect(first.first?.1.message == "still unresolved after 1 s: circuit_open out")
        // The next interval counts from the repeat.
        #expect(book.due(nowMs: 11_500).isEmpty)
        let second = book.due(nowMs: 12_000)
        #expect(Self.names(second) == ["0:circuit_open"] && second.first?.1.escalation == 2)
        #expect(second.first?.1.message.hasPrefix("still unresolved after 2 s: ") == true)
        #expect(book.due(nowMs: 12_999).isEmpty)
        #expect(book.due(nowMs: 13_000).first?.1.escalation == 3)
        // Resolved: never again.
        #expect(Self.names(book.take(Self.closed("out", atMs: 13_500))) == ["0:resolved", "1:resolved"])
        #expect(book.due(nowMs: 20_000).isEmpty)
        #expect(book.due(nowMs: 100_000).isEmpty)
    }

    @Test func aRepeatedConditionCountsItsSendings() {
        var book = AlertBook(alerts: [Self.alert([.circuitOpen], escalateAfterMs: 1_000)])
        _ = book.take(Self.opened("out", atMs: 0))
        // The breaker opened again (a failed probe) before it closed: one condition, sent twice.
        #expect(Self.names(book.take(Self.opened("out", atMs: 500))) == ["0:circuit_open"])
        #expect(book.due(nowMs: 1_000).isEmpty)
        #expect(book.due(nowMs: 1_500).first?.1.escalation == 2)
    }

    @Test func recoveredResolvesRestarting() {
        var book = AlertBook(alerts: [Self.alert([.restarting], escalateAfterMs: 60_000), Self.alert([.restarting, .recovered])])
        #expect(Self.names(book.take(Self.event(.restarting, atMs: 0))) == ["0:restarting", "1:restarting"])
        #expect(book.open.keys.sorted() == ["restarting#"])
        let out = book.take(Self.event(.recovered, atMs: 5_000, resolves: .restarting))
        #expect(Self.names(out) == ["0:resolved", "1:recovered"])
        #expect(out.first?.1.resolves == .restarting && out.first?.1.node == nil)
        #expect(book.open.isEmpty)
        #expect(book.due(nowMs: 120_000).isEmpty)
    }

    @Test func aNonConditionNeverEscalates() {
        var book = AlertBook(alerts: [Self.alert([.checkpointFailed, .jobFailed], escalateAfterMs: 10)])
        _ = book.take(Self.event(.checkpointFailed, atMs: 0))
        _ = book.take(Self.event(.jobFailed, atMs: 0))
        #expect(book.due(nowMs: 1_000).isEmpty)
    }

    @Test func durationsInMessages() {
        #expect(AlertBook.seconds(59_999) == "59 s")
        #expect(AlertBook.seconds(60_000) == "1 min 0 s")
        #expect(AlertBook.seconds(125_000) == "2 min 5 s")
    }
}
