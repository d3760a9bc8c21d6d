import StreamrunCore
import Testing

@testable import StreamrunPlan

/// `"retry"`, `"fallback"` and `"optional"` on sources (issue 13): what the parser reads, and what
/// the validator refuses, each at its JSON path.
@Suite struct SourceFailurePlanTests {
    static let backup = """
        { "id": "backup", "type": "file", "path": "mirror/bids.jsonl", "schema": \(JobText.bidsSchema),
          "eventTime": { "field": "dateTime" } }
        """

    /// The bids source with `extra` keys (JSON members, with a leading comma), and `others` sources after it.
    static func job(_ extra: String, others: String = backup, reading: String = "bids") -> String {
        let bids = """
            { "id": "bids", "type": "file", "path": "data/bids.jsonl", "schema": \(JobText.bidsSchema),
              "eventTime": { "field": "dateTime" }\(extra) }
            """
        return JobText.job(sources: bids + (others.isEmpty ? "" : ", " + others), sinks: JobText.stdout(reading))
    }

    @Test func theKeysAreRead() throws {
        let (spec, issues) = parseSpec(Self.job(#", "retry": {"maxRetries": 5, "initialInterval": "100ms"}, "fallback": "backup", "optional": true"#))
        #expect(issues.isEmpty, "\(issues)")
        let s = try #require(spec.sources.first)
        #expect(s.retry.maxRetries == 5 && s.retry.initialIntervalMs == 100 && s.retry.maxIntervalMs == 30_000)
        #expect(s.fallback == "backup" && s.optional)
        let plain = try #require(parseSpec(Self.job("")).spec.sources.first)
        #expect(plain.retry == .default && plain.fallback == nil && !plain.optional)
    }

    @Test func theFallbackIsAStandbyThatIsNotPlanned() throws {
        let p = try plan(Self.job(#", "fallback": "backup""#)).get()
        #expect(p.nodes.map(\.id.name) == ["bids", "out"])
        #expect(p.warnings.isEmpty)
        #expect(p.spec.sources.map(\.id) == ["bids", "backup"])
    }

    @Test func aGeneratorHasRetryAndOptionalButNoFallback() {
        let gen = #"{ "id": "g", "type": "generator", "retry": {"maxRetries": 0}, "optional": true }"#
        #expect(problems(JobText.job(sources: gen, sinks: JobText.stdout("g"))).isEmpty)
        let withFallback = #"{ "id": "g", "type": "generator", "fallback": "h" }"#
        #expect(problems(JobText.job(sources: withFallback, sinks: JobText.stdout("g"))).contains { $0.hasPrefix(#"sources[0].fallback: "fallback" applies to file sources, not generator sources"#) })
    }

    @Test(arguments: [
        (#", "fallback": "bakup""#, backup, #"sources[0].fallback: unknown source "bakup" (did you mean "backup"?)"#),
        (#", "fallback": "bids""#, backup, #"sources[0].fallback: a source cannot be its own fallback"#),
        (#", "fallback": "out""#, backup, #"sources[0].fallback: "out" is a sink; a source falls back to another source"#),
        (#", "fallback": "g""#, #"{ "id": "g", "type": "generator" }"#,
         #"sources[0].fallback: "g" is a generator source; a fallback has the same type as its source (file)"#),
        (#", "fallback": "backup""#, #"{ "id": "backup", "type": "file", "path": "m", "format": "csv", "schema": { "a": "int" } }"#,
         #"sources[0].fallback: "backup" differs in format (csv, not jsonl), schema, eventTime; a fallback reads the same data as its source"#),
        (#", "fallback": "backup""#, #"{ "id": "backup", "type": "file", "path": "m", "schema": \#(JobText.bidsSchema), "eventTime": { "field": "dateTime" }, "fallback": "bids" }"#,
         #"sources[0].fallback: "backup" has a fallback of its own; a fallback cannot have one"#),
        (#", "retry": {"maxRetries": -1}"#, backup, "sources[0].retry.maxRetries: expected"),
        (#", "retry": {"initialInterval": "1m", "maxInterval": "1s"}"#, backup, #"sources[0].retry.initialInterval: "initialInterval" is longer than "maxInterval""#),
        (#", "retry": {"maxRetry": 1}"#, backup, #"sources[0].retry.maxRetry: unknown key "maxRetry" (did you mean "maxRetries"?)"#),
        (#", "optional": "yes""#, backup, "sources[0].optional: expected"),
    ])
    func mistakesNameTheirPath(_ extra: String, _ others: String, _ expected: String) {
        let issues = problems(Self.job(extra, others: others))
        #expect(issues.contains { $0.hasPrefix(expected) }, "\(issues)")
    }

    @Test func nothingReadsAStandby() {
        let issues = problems(Self.job(#", "fallback": "backup""#, reading: "backup"))
        #expect(issues.contains(#"sinks[0].inputs[0]: "backup" is the fallback of source "bids", a standby that is not read by itself; read "bids""#), "\(issues)")
    }

    @Test func failReadsGoesOnASourceOrItsStandby() {
        let faults = #""faults": [{ "node": "backup", "type": "fail-reads", "while": "down" }, { "node": "out", "type": "fail-reads" }],"#
        let bids = """
            { "id": "bids", "type": "file", "path": "data/bids.jsonl", "schema": \(JobText.bidsSchema), "fallback": "backup",
              "eventTime": { "field": "dateTime" } }
            """
        let issues = problems(JobText.job(sources: bids + ", " + Self.backup, sinks: JobText.stdout("bids"), top: faults))
        #expect(issues == [#"faults[1].node: "out" is a sink; "fail-reads" goes on a source"#], "\(issues)")
    }
}
