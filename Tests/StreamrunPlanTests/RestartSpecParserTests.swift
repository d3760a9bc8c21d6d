import StreamrunCore
import Testing

@testable import StreamrunPlan

/// `"restart"` in job.json: each strategy with its keys and Flink's defaults, and mistakes at their path.
@Suite struct RestartSpecParserTests {
    static func restart(_ json: String) -> (RestartSpec?, [String]) {
        let (spec, issues) = parseSpec(JobText.job(sinks: JobText.stdout("bids"), top: #""restart": \#(json),"#))
        return (spec.restart, issues)
    }

    @Test func everyStrategyReads() {
        #expect(Self.restart(#"{"strategy": "fixed-delay", "attempts": 5, "delay": "2s"}"#).0 == .fixedDelay(attempts: 5, delayMs: 2000))
        var e = RestartSpec.ExponentialDelay()
        e.initialBackoffMs = 500
        e.attempts = nil
        e.attempts = 4
        e.jitter = 0.2
        #expect(Self.restart(#"{"strategy": "exponential-delay", "initialBackoff": "500ms", "jitter": 0.2, "attempts": 4}"#).0 == .exponentialDelay(e))
        #expect(Self.restart(#"{"strategy": "failure-rate", "maxFailuresPerInterval": 3, "interval": "5m"}"#).0
            == .failureRate(maxFailures: 3, intervalMs: 300_000, delayMs: 1000))
        #expect(Self.restart(#"{"strategy": "none"}"#).0 == RestartSpec.none)
        #expect(parseSpec(JobText.job(sinks: JobText.stdout("bids"))).spec.restart == nil)
    }

    @Test(arguments: [
        (#"{"strategy": "exponential"}"#, #"restart.strategy: expected"#),
        (#"{"strategy": "fixed-delay", "initialBackoff": "1s"}"#, #"restart.initialBackoff: "initialBackoff" applies to exponential-delay restarts, not fixed-delay"#),
        (#"{"strategy": "exponential-delay", "initialBackoff": "2m", "maxBackoff": "1m"}"#, #"restart.initialBackoff: "initialBackoff" is longer"#),
        (#"{"strategy": "exponential-delay", "jitter": 2}"#, "restart.jitter: expected"),
        (#"{"attempts": 3}"#, #"restart: missing required key "strategy""#),
    ])
    func mistakesNameTheirPath(_ json: String, _ expected: String) {
        let issues = Self.restart(json).1
        #expect(issues.contains { $0.hasPrefix(expected) }, "\(issues)")
    }
}
