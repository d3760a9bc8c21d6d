import StreamrunCore
import Testing

@testable import StreamrunPlan

/// job.json for bad records (issue 12): `onError`, `deadLetter` (a sink that needs no inputs),
/// `maxErrorRate`, `maxRecordSize`, and the `.dead` output they route through.
@Suite struct DeadLetterPlanTests {
    static func source(_ extra: String) -> String {
        """
        { "id": "bids", "type": "file", "path": "data/bids.jsonl", "schema": \(JobText.bidsSchema),
          "eventTime": { "field": "dateTime" }\(extra) }
        """
    }

    static let dlq = #"{ "id": "dlq", "type": "file", "path": "out/dlq" }"#

    @Test func aDeadLetterSinkReadsTheSourcesDeadOutputWithoutInputs() throws {
        let text = JobText.job(sources: Self.source(#", "onError": "dead-letter", "deadLetter": "dlq""#),
                               sinks: JobText.stdout("bids") + ", " + Self.dlq)
        let p = try plan(text).get()
        let source = try #require(p.node(NodeID("bids")))
        #expect(source.deadSchema == DeadLetter.schema)
        let sink = try #require(p.node(NodeID("dlq")))
        #expect(sink.inputs == [InputRef(node: NodeID("bids"), output: .dead)])
        #expect(sink.inputSchema == DeadLetter.schema)
        #expect(sink.parallelism == source.parallelism)
        guard case .source(let spec) = source.kind else { Issue.record("not a source"); return }
        #expect(spec.onError == .deadLetter)
        #expect(spec.maxRecordSize == 1 << 20)
    }

    @Test func twoSourcesShareOneDeadLetterSink() throws {
        let other = #"{ "id": "more", "type": "file", "path": "data/more.jsonl", "schema": { "a": "int" }, "onError": "dead-letter", "deadLetter": "dlq" }"#
        let text = JobText.job(sources: Self.source(#", "onError": "dead-letter", "deadLetter": "dlq""#) + ", " + other,
                               sinks: JobText.stdout("bids") + ", " + JobText.stdout("more").replacingOccurrences(of: "\"out\"", with: "\"out2\"")
                                   + ", " + Self.dlq)
        let sink = try #require(try plan(text).get().node(NodeID("dlq")))
        #expect(Set(sink.inputs) == [InputRef(node: NodeID("bids"), output: .dead), InputRef(node: NodeID("more"), output: .dead)])
    }

    @Test func errorRateAndRecordSizeAreRead() throws {
        let text = JobText.job(sources: Self.source(#", "onError": "skip", "maxErrorRate": { "rate": "2.5%", "window": 400 }, "maxRecordSize": "64KB""#),
                               sinks: JobText.stdout("bids"))
        guard case .source(let spec) = try #require(try plan(text).get().node(NodeID("bids"))).kind else { return }
        #expect(spec.onError == .skip)
        #expect(spec.maxErrorRate == ErrorRate(rate: 0.025, window: 400))
        #expect(spec.maxErrorRate?.percent == "2.5%")
        #expect(spec.maxRecordSize == 64 << 10)
    }

    @Test(arguments: [
        (#", "onError": "dead-letter""#, "sources[0].deadLetter: missing"),
        (#", "deadLetter": "dlq""#, #"sources[0].deadLetter: "deadLetter" needs "onError": "dead-letter""#),
        (#", "onError": "dead-letter", "deadLetter": "nope""#, #"sources[0].deadLetter: unknown sink "nope""#),
        (#", "onError": "quarantine""#, "sources[0].onError: expected"),
        (#", "maxErrorRate": { "rate": "150%" }"#, "sources[0].maxErrorRate.rate: expected a rate"),
        (#", "maxErrorRate": { "window": 10 }"#, #"sources[0].maxErrorRate: missing required key "rate""#),
        (#", "maxErrorRate": { "rate": 0.1, "windw": 10 }"#, #"sources[0].maxErrorRate.windw: unknown key"#),
        (#", "maxRecordSize": "1GB""#, "sources[0].maxRecordSize: expected at most 256 MiB"),
    ])
    func badSettingsNameTheirPath(_ extra: String, _ expected: String) {
        let text = JobText.job(sources: Self.source(extra), sinks: JobText.stdout("bids") + ", " + #"{ "id": "dlq", "type": "file", "path": "d", "inputs": ["bids"] }"#)
        let found = problems(text)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test func aSinkWithoutInputsThatNoSourceFeedsIsMissingThem() {
        let found = problems(JobText.job(sinks: JobText.stdout("bids") + ", " + Self.dlq))
        #expect(found.contains { $0.hasPrefix(#"sinks[1]: missing required key "inputs""#) }, "\(found)")
    }

    @Test func deadOutputOfASourceWithoutDeadLettersIsRefused() {
        let found = problems(JobText.job(sinks: JobText.stdout("bids.dead")))
        #expect(found.contains { $0.contains(#"only a source or map with "onError": "dead-letter" has dead letters"#) }, "\(found)")
    }

    @Test func deadLettersAndRecordsCannotShareASink() {
        let text = JobText.job(sources: Self.source(#", "onError": "dead-letter", "deadLetter": "out""#), sinks: JobText.stdout("bids"))
        let found = problems(text)
        #expect(found.contains { $0.contains("inputs have different schemas") }, "\(found)")
    }
}
