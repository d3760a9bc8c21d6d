import StreamrunCore
import Testing

@testable import StreamrunPlan

/// `"retry"`, `"circuitBreaker"` and `"fallback"` on sinks and the `fail-writes`/`fail-commits`
/// faults (issue 13): the backoff arithmetic, what the parser reads, and what the validator refuses,
/// each at its JSON path.
@Suite struct RetrySpecTests {
    static func spec(initial: Int64 = 100, max: Int64 = 1000, multiplier: Double = 2, jitter: Double = 0) -> RetrySpec {
        var r = RetrySpec()
        r.initialIntervalMs = initial
        r.maxIntervalMs = max
        r.multiplier = multiplier
        r.jitter = jitter
        return r
    }

    /// A file sink `out` reading bids, with `extra` members (with a leading comma), then `others`.
    static func job(_ extra: String, others: String = "", operators: String = "", top: String = "") -> String {
        let out = #"{ "id": "out", "type": "file", "path": "o", "inputs": ["bids"]\#(extra) }"#
        return JobText.job(operators: operators, sinks: others.isEmpty ? out : out + ", " + others, top: top)
    }

    static let backup = #"{ "id": "backup", "type": "file", "path": "b" }"#
    static let breaker = #", "circuitBreaker": {"failureThreshold": 2}"#

    // MARK: - Backoff

    @Test func delaysGrowByTheMultiplierUpToTheCap() {
        let r = Self.spec(initial: 100, max: 1000, multiplier: 2)
        #expect((1...6).map { r.delayMs(retry: $0, random: 0.5) } == [100, 200, 400, 800, 1000, 1000])
        #expect(r.delayMs(retry: 1000, random: 0.5) == 1000)
        // Retry 0 (never asked for) is the first delay, not less.
        #expect(r.delayMs(retry: 0, random: 0.5) == 100)
        let triple = Self.spec(initial: 10, max: 100_000, multiplier: 3)
        #expect((1...4).map { triple.delayMs(retry: $0, random: 0.5) } == [10, 30, 90, 270])
        let flat = Self.spec(initial: 50, max: 50, multiplier: 1)
        #expect((1...3).map { flat.delayMs(retry: $0, random: 0.5) } == [50, 50, 50])
    }

    @Test func jitterSpreadsEitherWay() {
        let r = Self.spec(initial: 1000, max: 10_000, jitter: 0.2)
        #expect(r.delayMs(retry: 1, random: 0) == 800)
        #expect(r.delayMs(retry: 1, random: 0.5) == 1000)
        #expect(r.delayMs(retry: 1, random: 0.999_999_999) == 1200)
        #expect(r.delayMs(retry: 2, random: 0) == 1600)
        // Capped first, then spread.
        #expect(r.delayMs(retry: 20, random: 0) == 8000)
        #expect(r.delayMs(retry: 20, random: 0.999_999_999) == 12_000)
        for k in 0..<100 {
            let d = r.delayMs(retry: 3, random: Double(k) / 100)
            #expect((3200...4800).contains(d), "random \(Double(k) / 100): \(d)")
        }
    }

    @Test func noJitterIsExact() {
        let r = Self.spec(initial: 250, max: 30_000, jitter: 0)
        for random in [0, 0.3, 0.999] {
            #expect(r.delayMs(retry: 1, random: random) == 250)
            #expect(r.delayMs(retry: 3, random: random) == 1000)
        }
    }

    @Test func theDefaults() {
        let r = RetrySpec.default
        #expect(r.maxRetries == 3 && r.initialIntervalMs == 500 && r.maxIntervalMs == 30_000 && r.multiplier == 2 && r.jitter == 0.2)
        let b = CircuitBreakerSpec()
        #expect(b.failureThreshold == 5 && b.openForMs == 30_000 && b.halfOpenProbes == 1)
    }

    // MARK: - Parser

    @Test func aSinkWithoutTheKeysHasTheDefaults() throws {
        let (spec, issues) = parseSpec(Self.job(""))
        #expect(issues.isEmpty, "\(issues)")
        let s = try #require(spec.sinks.first)
        #expect(s.retry == .default && s.circuitBreaker == nil && s.fallback == nil)
        // An empty object is the defaults too.
        let empty = try #require(parseSpec(Self.job(#", "retry": {}, "circuitBreaker": {}"#)).spec.sinks.first)
        #expect(empty.retry == .default && empty.circuitBreaker == CircuitBreakerSpec())
    }

    @Test func everyRetryKeyIsRead() throws {
        let (spec, issues) = parseSpec(Self.job(#", "retry": {"maxRetries": 7, "initialInterval": "1ms", "maxInterval": "2s", "multiplier": 1.5, "jitter": 0}"#))
        #expect(issues.isEmpty, "\(issues)")
        var expected = RetrySpec()
        expected.maxRetries = 7
        expected.initialIntervalMs = 1
        expected.maxIntervalMs = 2000
        expected.multiplier = 1.5
        expected.jitter = 0
        #expect(spec.sinks.first?.retry == expected)
        // Each key alone leaves the others at their defaults.
        #expect(parseSpec(Self.job(#", "retry": {"maxRetries": 0}"#)).spec.sinks.first?.retry.maxRetries == 0)
        let one = try #require(parseSpec(Self.job(#", "retry": {"maxInterval": "1m"}"#)).spec.sinks.first?.retry)
        #expect(one.maxIntervalMs == 60_000 && one.initialIntervalMs == 500 && one.maxRetries == 3)
        #expect(parseSpec(Self.job(#", "retry": {"jitter": 1}"#)).spec.sinks.first?.retry.jitter == 1)
        #expect(parseSpec(Self.job(#", "retry": {"multiplier": 1}"#)).spec.sinks.first?.retry.multiplier == 1)
    }

    @Test func everyCircuitBreakerKeyIsRead() throws {
        let (spec, issues) = parseSpec(Self.job(#", "circuitBreaker": {"failureThreshold": 1, "openFor": "50ms", "halfOpenProbes": 3}"#))
        #expect(issues.isEmpty, "\(issues)")
        let b = try #require(spec.sinks.first?.circuitBreaker)
        #expect(b.failureThreshold == 1 && b.openForMs == 50 && b.halfOpenProbes == 3)
        let limits = parseSpec(Self.job(#", "circuitBreaker": {"failureThreshold": 1000000, "halfOpenProbes": 1000}"#))
        #expect(limits.issues.isEmpty, "\(limits.issues)")
    }

    @Test(arguments: [
        (#", "retry": {"maxRetrys": 1}"#, #"sinks[0].retry.maxRetrys: unknown key "maxRetrys" (did you mean "maxRetries"?)"#),
        (#", "retry": {"initalInterval": "1s"}"#, #"sinks[0].retry.initalInterval: unknown key "initalInterval" (did you mean "initialInterval"?)"#),
        (#", "retry": {"initialInterval": "1m", "maxInterval": "1s"}"#,
         #"sinks[0].retry.initialInterval: "initialInterval" is longer than "maxInterval" (1s)"#),
        (#", "retry": {"maxRetries": -1}"#, "sinks[0].retry.maxRetries: expected an integer"),
        (#", "retry": {"multiplier": 0.5}"#, "sinks[0].retry.multiplier: expected a number from 1 to 1000"),
        (#", "retry": {"jitter": 1.5}"#, "sinks[0].retry.jitter: expected a number from 0 to 1"),
        (#", "retry": {"initialInterval": "0ms"}"#, "sinks[0].retry.initialInterval: expected a duration greater than 0"),
        (#", "retry": 3"#, "sinks[0].retry: expected an object"),
        (#", "circuitBreaker": {"threshold": 2}"#, #"sinks[0].circuitBreaker.threshold: unknown key "threshold""#),
        (#", "circuitBreaker": {"failureThreshhold": 2}"#,
         #"sinks[0].circuitBreaker.failureThreshhold: unknown key "failureThreshhold" (did you mean "failureThreshold"?)"#),
        (#", "circuitBreaker": {"failureThreshold": 0}"#, "sinks[0].circuitBreaker.failureThreshold: expected an integer"),
        (#", "circuitBreaker": {"halfOpenProbes": 0}"#, "sinks[0].circuitBreaker.halfOpenProbes: expected an integer"),
        (#", "circuitBreaker": {"halfOpenProbes": 1001}"#, "sinks[0].circuitBreaker.halfOpenProbes: expected an integer"),
        (#", "circuitBreaker": {"openFor": "soon"}"#, "sinks[0].circuitBreaker.openFor: expected a duration"),
        (#", "circuitBreaker": {"openFor": "0s"}"#, "sinks[0].circuitBreaker.openFor: expected a duration greater than 0"),
        (#", "fallback": 3"#, "sinks[0].fallback: expected a string"),
    ])
    func mistakesNameTheirPath(_ extra: String, _ expected: String) {
        let issues = problems(Self.job(extra, others: Self.backup))
        #expect(issues.contains { $0.hasPrefix(expected) }, "\(issues)")
    }

    // MARK: - Fallback wiring

    @Test(arguments: [
        (#", "fallback": "bakup""# + breaker, #"sinks[0].fallback: unknown sink "bakup" (did you mean "backup"?)"#),
        (#", "fallback": "bids""# + breaker, #"sinks[0].fallback: "bids" is a source; a sink falls back to another sink"#),
        (#", "fallback": "f""# + breaker, #"sinks[0].fallback: "f" is a filter; a sink falls back to another sink"#),
        (#", "fallback": "out""# + breaker, #"sinks[0].fallback: a sink cannot be its own fallback"#),
        (#", "fallback": "backup""#, #"sinks[0].fallback: a fallback takes over while the sink's circuit breaker is open; add "circuitBreaker""#),
    ])
    func aBadFallbackIsRefused(_ extra: String, _ expected: String) {
        let filter = #"{ "id": "f", "type": "filter", "inputs": ["bids"], "where": "price > 0" }"#
        let issues = problems(Self.job(extra, others: Self.backup, operators: filter))
        #expect(issues.contains { $0 == expected }, "\(issues)")
    }

    @Test func theUnknownFallbackSuggestsOnlyOtherSinks() {
        // "ou" is closest to "out" itself, which cannot be its own fallback: nothing is suggested.
        let issues = problems(Self.job(#", "fallback": "ou""# + Self.breaker, others: #"{ "id": "zzzzzz", "type": "file", "path": "z", "inputs": ["bids"] }"#))
        #expect(issues.contains { $0 == #"sinks[0].fallback: unknown sink "ou""# }, "\(issues)")
    }

    @Test func aFallbackSinkReadsTheFallbackOutput() throws {
        let p = try plan(Self.job(#", "fallback": "backup""# + Self.breaker, others: Self.backup)).get()
        let backup = try #require(p.node("backup"))
        #expect(backup.inputs == [InputRef(node: "out", output: .fallback)])
        #expect(backup.inputs.map(\.description) == ["out.fallback"])
        let out = try #require(p.node("out"))
        #expect(out.fallbackSchema != nil && out.fallbackSchema == out.inputSchema)
        #expect(backup.inputSchema == out.inputSchema)
        // The primary comes first in the plan: it feeds the fallback.
        let order = p.nodes.map(\.id.name)
        #expect(order.firstIndex(of: "out")! < order.firstIndex(of: "backup")!)
        #expect(p.spec.sinks.first?.fallback == "backup")
    }

    @Test func aFallbackSinkListedFirstNeedsNoInputs() throws {
        let out = #"{ "id": "out", "type": "file", "path": "o", "inputs": ["bids"], "fallback": "backup"\#(Self.breaker) }"#
        let text = JobText.job(sinks: Self.backup + ", " + out)
        let p = try plan(text).get()
        #expect(p.node("backup")?.inputs == [InputRef(node: "out", output: .fallback)])
        // Without the fallback naming it, the same sink misses its inputs.
        let alone = problems(JobText.job(sinks: Self.backup + ", " + #"{ "id": "out", "type": "file", "path": "o", "inputs": ["bids"] }"#))
        #expect(alone.contains { $0 == #"sinks[0]: missing required key "inputs""# }, "\(alone)")
    }

    @Test func aFallbackSinkMayReadOtherInputsToo() throws {
        let both = #"{ "id": "backup", "type": "file", "path": "b", "inputs": ["bids"] }"#
        let p = try plan(Self.job(#", "fallback": "backup""# + Self.breaker, others: both)).get()
        #expect(p.node("backup")?.inputs.map(\.description) == ["bids", "out.fallback"])
    }

    @Test func onlyTheNamedSinkMayReadAFallbackOutput() {
        let thief = #"{ "id": "other", "type": "file", "path": "x", "inputs": ["out.fallback"] }"#
        let issues = problems(Self.job(#", "fallback": "backup""# + Self.breaker, others: Self.backup + ", " + thief))
        #expect(issues.contains { $0.hasPrefix(#"sinks[2].inputs[0]: "out.fallback": a sink's fallback output goes only to the sink its "fallback" names"#) },
                "\(issues)")
    }

    // MARK: - Faults on sinks

    static func faults(_ list: String) -> String { #""faults": [\#(list)],"# }

    @Test func sinkFaultsAreRead() throws {
        let (spec, issues) = parseSpec(Self.job("", top: Self.faults(#"""
            {"node": "out", "type": "fail-writes", "times": 2},
            {"node": "out", "type": "fail-commits", "times": "always", "class": "internal"},
            {"node": "out", "type": "fail-writes"}
            """#)))
        #expect(issues.isEmpty, "\(issues)")
        #expect(spec.faults.map(\.kind) == [.failWrites, .failCommits, .failWrites])
        #expect(spec.faults.map(\.times) == [2, nil, 1])
        #expect(spec.faults.map(\.errorClass) == [.transient, .internal, .transient])
        #expect(spec.faults.map(\.jsonPath) == ["faults[0]", "faults[1]", "faults[2]"])
    }

    @Test func whileAndForMakeTheFaultLastUnlessTimesSaysOtherwise() throws {
        let (spec, issues) = parseSpec(Self.job("", top: Self.faults(#"""
            {"node": "out", "type": "fail-writes", "while": "/tmp/outage"},
            {"node": "out", "type": "fail-commits", "for": "2s"},
            {"node": "out", "type": "fail-writes", "after": "1s"},
            {"node": "out", "type": "fail-writes", "while": "/tmp/outage", "times": 4},
            {"node": "out", "type": "fail-writes", "after": "1s", "for": "500ms"}
            """#)))
        #expect(issues.isEmpty, "\(issues)")
        #expect(spec.faults.map(\.times) == [nil, nil, 1, 4, nil])
        #expect(spec.faults[0].whilePath == "/tmp/outage")
        #expect(spec.faults[1].forMs == 2000 && spec.faults[1].afterMs == nil)
        #expect(spec.faults[2].afterMs == 1000 && spec.faults[2].forMs == nil)
        #expect(spec.faults[4].afterMs == 1000 && spec.faults[4].forMs == 500)
    }

    @Test(arguments: [
        (#"{"node": "f", "type": "fail-writes"}"#, #"faults[0].node: "f" is a filter; "fail-writes" goes on a sink"#),
        (#"{"node": "f", "type": "fail-commits"}"#, #"faults[0].node: "f" is a filter; "fail-commits" goes on a sink"#),
        (#"{"node": "bids", "type": "fail-writes"}"#, #"faults[0].node: "bids" is a source; "fail-writes" goes on a sink"#),
        (#"{"node": "out", "type": "fail-writes", "every": 10}"#, #"faults[0].every: "every" does not apply to "fail-writes""#),
        (#"{"node": "out", "type": "fail-commits", "checkpoint": 2}"#, #"faults[0].checkpoint: "checkpoint" does not apply to "fail-commits""#),
        (#"{"node": "out", "type": "fail-writes", "times": 0}"#, "faults[0].times: expected an integer"),
        (#"{"node": "out", "type": "fail-writes", "for": "0s"}"#, "faults[0].for: expected a duration greater than 0"),
        (#"{"node": "ot", "type": "fail-writes"}"#, #"faults[0].node: unknown node "ot" (did you mean "out"?)"#),
        (#"{"node": "out", "type": "fail-write"}"#, #"faults[0].type: expected"#),
    ])
    func aBadSinkFaultIsRefused(_ fault: String, _ expected: String) {
        let filter = #"{ "id": "f", "type": "filter", "inputs": ["bids"], "where": "price > 0" }"#
        let issues = problems(Self.job("", operators: filter, top: Self.faults(fault)))
        #expect(issues.contains { $0.hasPrefix(expected) }, "\(issues)")
    }
}
