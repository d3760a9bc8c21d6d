import Foundation
import StreamrunCore
import Testing
@testable import StreamrunPlan

@Suite("job.json validation")
struct JobValidatorTests {
    private func filter(_ id: String, _ input: String, _ cond: String = "true") -> String {
        "{ \"id\": \"\(id)\", \"type\": \"filter\", \"inputs\": [\"\(input)\"], \"where\": \"\(cond)\" }"
    }

    @Test func buildsThePlanOfTheContractExample() throws {
        let text = JobParserTests.example.replacingOccurrences(
            of: #""inputs": ["q2"]"#, with: #""inputs": ["q2", "counts.late"]"#
        ).replacingOccurrences(of: #""header": false }"#, with: #""header": false }, { "id": "s", "type": "stdout", "inputs": ["eur"] }"#)
        let plan = try plan(text.replacingOccurrences(of: #""fields": ["auction", "price"], "#, with: "")).get()
        #expect(plan.nodes.map(\.id) == ["bids", "q2", "eur", "counts", "out", "s"])
        #expect(plan.nodes.map(\.typeName) == ["source:file", "filter", "map", "window", "sink:file", "sink:stdout"])
        #expect(plan.nodes.map(\.parallelism) == [2, 2, 2, 2, 2, 1])
        #expect(plan.consumers(of: "bids").map(\.id) == ["q2", "eur", "counts"])
        let w = try #require(plan.node("counts"))
        #expect(w.outputSchema.description == "(auction: int, window_start: timestamp, window_end: timestamp, count: int)")
        #expect(w.lateSchema == plan.node("bids")?.outputSchema)
        #expect(w.keyFields == [0])
        guard case .window(let wp) = w.kind else { Issue.record("not a window"); return }
        #expect(wp.timeField == 5 && wp.window == .tumbling(sizeMs: 10_000))
        #expect(wp.aggregates.map(\.outputType) == [.int])
        let out = try #require(plan.node("out"))
        #expect(out.inputs == [InputRef(node: "q2"), InputRef(node: "counts", output: .late)])
        guard case .sink(let sp) = out.kind else { Issue.record("not a sink"); return }
        #expect(sp.columns == Array(0..<7))
    }

    @Test func contractExampleIsValidWithWarnings() throws {
        let p = try plan(JobParserTests.example).get()
        #expect(p.nodes.map(\.id) == ["bids", "q2", "eur", "counts", "out"])
        #expect(p.node("eur")?.outputSchema.field(named: "price")?.type == .float)
        guard case .sink(let s) = p.node("out")?.kind else { Issue.record("no sink"); return }
        #expect(s.columns == [0, 2] && s.columnNames == ["auction", "price"])
        #expect(p.warnings.map(\.description) == [
            "operators[1]: \"eur\" is not read by any operator or sink",
            "operators[2]: \"counts\" is not read by any operator or sink",
        ])
    }

    @Test func unknownFieldsInExpressionsArePrefixedWithThePath() {
        let text = JobText.job(operators: """
            { "id": "eur", "type": "map", "inputs": ["bids"], "set": { "price": "prise * 0.908" } }
            """, sinks: JobText.stdout("eur"))
        #expect(problems(text) == ["operators[0].set.price: unknown field \"prise\" (did you mean \"price\"?)"])
    }

    @Test func filterNeedsABoolExpression() {
        let text = JobText.job(operators: filter("a", "bids", "auction + 1") + ", " + filter("b", "bids", "channel + 1"),
                               sinks: JobText.stdout("a", "b"))
        #expect(problems(text) == [
            "operators[0].where: expected a bool expression, got int",
            "operators[1].where: '+' needs numbers, got string and int",
        ])
    }

    @Test func unknownInputId() {
        let text = JobText.job(operators: filter("q2", "bids"), sinks: JobText.stdout("q3"))
        #expect(problems(text) == ["sinks[0].inputs[0]: \"q3\" is not a source or operator id"])
    }

    @Test func duplicateIds() {
        let text = JobText.job(operators: filter("q2", "bids") + ", " + filter("bids", "q2"),
                               sinks: #"{ "id": "q2", "type": "stdout", "inputs": ["q2"] }"#)
        #expect(problems(text) == [
            "operators[1].id: duplicate id \"bids\" (also sources[0].id)",
            "sinks[0].id: duplicate id \"q2\" (also operators[0].id)",
        ])
    }

    @Test func cyclesAreReportedOnce() {
        let text = JobText.job(
            operators: [filter("q2", "eur"), filter("eur", "q2"), filter("x", "x"), filter("after", "eur")]
                .joined(separator: ", "),
            sinks: JobText.stdout("after", "bids"))
        #expect(problems(text) == ["operators: cycle q2 → eur → q2", "operators: cycle x → x"])
        let three = JobText.job(operators: [filter("a", "c"), filter("b", "a"), filter("c", "b")].joined(separator: ", "),
                                sinks: JobText.stdout("c", "bids"))
        #expect(problems(three) == ["operators: cycle a → b → c → a"])
    }

    @Test func topologicalOrderPutsInputsFirst() throws {
        let text = JobText.job(
            sources: JobText.bidsSource + #", { "id": "gen", "type": "generator" }"#,
            operators: [filter("c", "b"), filter("b", "a"), filter("a", "gen"), filter("d", "bids")].joined(separator: ", "),
            sinks: #"{ "id": "o", "type": "stdout", "inputs": ["c", "d"] }"#)
        let p = try plan(text).get()
        #expect(p.nodes.map(\.id) == ["bids", "gen", "a", "b", "c", "d", "o"])
    }

    @Test func lateOutputOnlyForWindows() {
        let text = JobText.job(operators: filter("q", "bids"), sinks: JobText.stdout("q.late", "bids.late", "out.late"))
        #expect(problems(text) == [
            "sinks[0].inputs[0]: \"q.late\": only a window has a late output, and \"q\" is a filter",
            "sinks[0].inputs[1]: \"bids.late\": only a window has a late output, and \"bids\" is a source",
            "sinks[0].inputs[2]: \"out.late\" is a sink; sinks have no output to read",
        ])
    }

    @Test func danglingNodesAreWarnings() throws {
        let text = JobText.job(
            sources: JobText.bidsSource + #", { "id": "gen", "type": "generator" }"#,
            operators: filter("eur", "bids") + ", " + filter("q", "bids") + ", " + """
                { "id": "w", "type": "window", "inputs": ["q"], "window": { "type": "tumbling", "size": "1s" } }
                """,
            sinks: JobText.stdout("w.late"))
        let p = try plan(text).get()
        #expect(p.warnings.map(\.description) == [
            "sources[1]: \"gen\" is not read by any operator or sink",
            "operators[0]: \"eur\" is not read by any operator or sink",
        ])
        #expect(try plan(JobText.job(sinks: JobText.stdout("bids"))).get().warnings == [])
    }

    @Test func inputsMustShareASchema() {
        let text = JobText.job(
            sources: JobText.bidsSource + #", { "id": "f", "type": "file", "path": "p", "schema": { "auction": "int" } }"#,
            operators: #"{ "id": "m", "type": "map", "inputs": ["bids"], "set": { "price": "price * 0.9" } }"#,
            sinks: JobText.stdout("bids", "f") + #", { "id": "o2", "type": "stdout", "inputs": ["bids", "m"] }"#)
        #expect(problems(text) == [
            "sinks[0].inputs: inputs have different schemas: \"bids\" (auction: int, bidder: int, price: int, channel: string, url: string, dateTime: timestamp, extra: string) and \"f\" (auction: int)",
            "sinks[1].inputs: inputs have different schemas: \"bids\" (auction: int, bidder: int, price: int, channel: string, url: string, dateTime: timestamp, extra: string) and \"m\" (auction: int, bidder: int, price: float, channel: string, url: string, dateTime: timestamp, extra: string)",
        ])
    }

    @Test func sinkFieldsMustExist() throws {
        let text = JobText.job(sinks: #"{ "id": "o", "type": "file", "inputs": ["bids"], "path": "o", "fields": ["price", "prise", "price"] }"#)
        #expect(problems(text) == [
            "sinks[0].fields[1]: unknown field \"prise\" (did you mean \"price\"?)",
            "sinks[0].fields[2]: \"price\" is listed twice",
        ])
        let ok = try plan(JobText.job(sinks: #"{ "id": "o", "type": "file", "inputs": ["bids"], "path": "o", "fields": ["price", "auction"], "partitionBy": "date(dateTime)" }"#)).get()
        guard case .sink(let s) = ok.node("o")?.kind else { Issue.record("no sink"); return }
        #expect(s.columns == [2, 0] && s.columnNames == ["price", "auction"] && s.partition?.type == .string)
        #expect(ok.node("o")?.outputSchema.description == "(price: int, auction: int)")
    }

    @Test func keyByFieldsMustExist() {
        let text = JobText.job(operators: """
            { "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auctoin", "bidder", "bidder"],
              "window": { "type": "tumbling", "size": "10s" } },
            { "id": "d", "type": "dedupe", "inputs": ["bids"], "keyBy": ["nope"], "within": "1m" }
            """, sinks: JobText.stdout("w") + #", { "id": "o2", "type": "stdout", "inputs": ["d"] }"#)
        #expect(problems(text) == [
            "operators[0].keyBy[0]: unknown field \"auctoin\" (did you mean \"auction\"?)",
            "operators[0].keyBy[2]: \"bidder\" is listed twice",
            "operators[1].keyBy[0]: unknown field \"nope\"",
        ])
    }

    @Test func windowsAndDedupeNeedEventTime() {
        let noTime = #"{ "id": "bids", "type": "file", "path": "p", "schema": { "a": "int", "t": "timestamp" } }"#
        let text = JobText.job(sources: noTime, operators: """
            { "id": "w", "type": "window", "inputs": ["bids"], "window": { "type": "tumbling", "size": "10s" } },
            { "id": "d", "type": "dedupe", "inputs": ["bids"], "keyBy": ["a"], "within": "1m" }
            """, sinks: JobText.stdout("w") + #", { "id": "o2", "type": "stdout", "inputs": ["d"] }"#)
        #expect(problems(text) == [
            "operators[0]: window needs event time: give source \"bids\" an eventTime",
            "operators[1]: dedupe needs event time: give source \"bids\" an eventTime",
        ])
        let dropped = JobText.job(operators: """
            { "id": "m", "type": "map", "inputs": ["bids"], "drop": ["dateTime"] },
            { "id": "s", "type": "map", "inputs": ["bids"], "set": { "dateTime": "dateTime + 1" } },
            { "id": "w", "type": "window", "inputs": ["m"], "window": { "type": "tumbling", "size": "10s" } },
            { "id": "w2", "type": "window", "inputs": ["s"], "window": { "type": "tumbling", "size": "10s" } }
            """, sinks: JobText.stdout("w") + #", { "id": "o2", "type": "stdout", "inputs": ["w2"] }"#)
        #expect(problems(dropped) == [
            "operators[2]: window needs event time: map \"m\" drops the event-time field \"dateTime\"",
            "operators[3]: window needs event time: map \"s\" replaces the event-time field \"dateTime\"",
        ])
    }

    @Test func eventTimeFieldMustExistAndBeATimestampOrInt() {
        let text = JobText.job(sources: """
            { "id": "a", "type": "file", "path": "p", "schema": { "t": "timestamp", "s": "string" }, "eventTime": { "field": "T" } },
            { "id": "b", "type": "file", "path": "p", "schema": { "t": "timestamp", "s": "string" }, "eventTime": { "field": "s" } },
            { "id": "c", "type": "file", "path": "p", "schema": { "n": "int" }, "eventTime": { "field": "n" } }
            """, sinks: JobText.stdout("a", "b") + #", { "id": "o2", "type": "stdout", "inputs": ["c"] }"#)
        #expect(problems(text) == [
            "sources[0].eventTime.field: unknown field \"T\" (did you mean \"t\"?)",
            "sources[1].eventTime.field: \"s\" is a string; event time must be a timestamp or int field",
        ])
    }

    @Test func eventTimeFlowsThroughFilterMapAndWindow() throws {
        let text = JobText.job(operators: """
            { "id": "f", "type": "filter", "inputs": ["bids"], "where": "price > 10" },
            { "id": "m", "type": "map", "inputs": ["f"], "select": ["dateTime", "auction"] },
            { "id": "d", "type": "dedupe", "inputs": ["m"], "keyBy": ["auction"], "within": "1m" },
            { "id": "w", "type": "window", "inputs": ["d"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "10s" } },
            { "id": "w2", "type": "window", "inputs": ["w"], "window": { "type": "session", "gap": "1m" },
              "aggregates": { "n": "count()", "last_start": "max(window_start)" } }
            """, sinks: JobText.stdout("w2"))
        let p = try plan(text).get()
        guard case .dedupe(let d) = p.node("d")?.kind, case .window(let w) = p.node("w")?.kind,
            case .window(let w2) = p.node("w2")?.kind
        else { Issue.record("kinds"); return }
        #expect(d.timeField == 0 && d.keyFields == [1] && d.withinMs == 60_000)
        #expect(w.timeField == 0 && w.keyFields == [1])
        #expect(w2.timeField == 1 && w2.keyFields == [])
        #expect(p.node("w2")?.outputSchema.description
            == "(window_start: timestamp, window_end: timestamp, n: int, last_start: timestamp)")
    }

    @Test func mapSchemaFlow() throws {
        let text = JobText.job(operators: """
            { "id": "m", "type": "map", "inputs": ["bids"],
              "set": { "price": "price * 0.908", "bidder": "auction", "auction": "bidder", "tag": "upper(channel)" },
              "drop": ["extra", "url"] },
            { "id": "s", "type": "map", "inputs": ["m"], "select": ["tag", "price", "auction"] }
            """, sinks: JobText.stdout("s"))
        let p = try plan(text).get()
        #expect(p.node("m")?.outputSchema.description
            == "(auction: int, bidder: int, price: float, channel: string, dateTime: timestamp, tag: string)")
        #expect(p.node("s")?.outputSchema.description == "(tag: string, price: float, auction: int)")
        guard case .map(let m) = p.node("m")?.kind, case .map(let s) = p.node("s")?.kind else { Issue.record("kinds"); return }
        #expect(m.outputs == [.computed(2), .computed(1), .computed(0), .input(3), .input(5), .computed(3)])
        #expect(m.expressions.map(\.source) == ["price * 0.908", "auction", "bidder", "upper(channel)"])
        #expect(s.outputs == [.input(5), .input(2), .input(0)] && s.expressions.isEmpty)
    }

    @Test func mapFieldErrors() {
        let text = JobText.job(operators: """
            { "id": "m", "type": "map", "inputs": ["bids"], "set": { "x": "1" }, "drop": ["nope"], "select": ["x", "url", "y"] },
            { "id": "e", "type": "map", "inputs": ["bids"], "select": ["price"], "drop": ["price"] },
            { "id": "n", "type": "map", "inputs": ["bids"], "set": { "z": "null" } },
            { "id": "k", "type": "map", "inputs": ["bids"] }
            """, sinks: JobText.stdout("m") + #", { "id": "o2", "type": "stdout", "inputs": ["e", "n", "k"] }"#)
        #expect(problems(text) == [
            "operators[0].drop[0]: unknown field \"nope\"",
            "operators[0].select[2]: unknown field \"y\" (did you mean \"x\"?)",
            "operators[1].select[0]: unknown field \"price\"",
            "operators[2].set.z: a bare null has no type; give the field a typed value",
            "operators[3]: a map needs \"set\", \"drop\" or \"select\"",
        ])
    }

    @Test func windowOutputTypes() throws {
        let text = JobText.job(operators: """
            { "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["channel", "auction"],
              "window": { "type": "sliding", "size": "10s", "slide": "5s" },
              "aggregates": { "n": "count()", "si": "sum(price)", "sf": "sum(price * 0.5)", "a": "avg(price)",
                              "lo": "min(channel)", "hi": "max(dateTime)", "f": "first(bidder > 3)", "l": "last(url)",
                              "d": "count_distinct(bidder)" } }
            """, sinks: JobText.stdout("w"))
        let p = try plan(text).get()
        #expect(p.node("w")?.outputSchema.description == "(channel: string, auction: int, window_start: timestamp, window_end: timestamp, n: int, si: int, sf: float, a: float, lo: string, hi: timestamp, f: bool, l: string, d: int)")
        #expect(p.node("w")?.keyFields == [3, 0])
        guard case .window(let w) = p.node("w")?.kind else { Issue.record("kind"); return }
        #expect(w.aggregates.map { $0.argument?.source } == [nil, "price", "price * 0.5", "price", "channel", "dateTime", "bidder > 3", "url", "bidder"])
    }

    @Test func aggregateTypeErrors() {
        let text = JobText.job(operators: """
            { "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "10s" },
              "aggregates": { "s": "sum(channel)", "a": "avg(dateTime)", "auction": "count()", "window_end": "count()",
                              "x": "max(prise)", "z": "min(null)" } }
            """, sinks: JobText.stdout("w"))
        #expect(problems(text) == [
            "operators[0].aggregates.s: sum needs a number, got string",
            "operators[0].aggregates.a: avg needs a number, got timestamp",
            "operators[0].aggregates.auction: \"auction\" is already an output field of the window (keys, window_start, window_end)",
            "operators[0].aggregates.window_end: \"window_end\" is already an output field of the window (keys, window_start, window_end)",
            "operators[0].aggregates.x: unknown field \"prise\" (did you mean \"price\"?)",
            "operators[0].aggregates.z: min of a bare null has no type",
        ])
    }

    @Test func parallelismRules() throws {
        let text = JobText.job(operators: """
            { "id": "g", "type": "window", "inputs": ["bids"], "window": { "type": "tumbling", "size": "10s" } },
            { "id": "k", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "10s" } },
            { "id": "f", "type": "filter", "inputs": ["bids"], "where": "true", "parallelism": 5 }
            """, sinks: #"{ "id": "s", "type": "stdout", "inputs": ["g"] }, { "id": "o", "type": "file", "inputs": ["k"], "path": "o" }, { "id": "o2", "type": "file", "inputs": ["f"], "path": "o2", "parallelism": 7 }"#,
            top: #""parallelism": 3,"#)
        let p = try plan(text).get()
        #expect(p.nodes.map { "\($0.id)=\($0.parallelism)" } == ["bids=3", "g=1", "k=3", "f=5", "s=1", "o=3", "o2=7"])
        #expect(p.node("k")?.isKeyed == true && p.node("g")?.isKeyed == false)

        let bad = JobText.job(operators: """
            { "id": "g", "type": "window", "inputs": ["bids"], "window": { "type": "tumbling", "size": "10s" }, "parallelism": 4 },
            { "id": "f", "type": "filter", "inputs": ["g"], "where": "true", "parallelism": 200 }
            """, sinks: JobText.stdout("f"), top: #""parallelism": 300, "maxParallelism": 256,"#)
        #expect(problems(bad) == [
            "parallelism: 300 is more than maxParallelism 256",
            "operators[0].parallelism: a global window (no keyBy) runs with parallelism 1, got 4",
        ])
    }

    /// All problems come in one list, ordered by where they are in the file.
    @Test func manyProblemsAreReportedTogether() {
        let text = """
            { "name": "x", "parallelism": "two",
              "checkpoints": { "dir": "s", "interval": "ten" },
              "sources": [\(JobText.bidsSource)],
              "operators": [
                { "id": "q2", "type": "filter", "inputs": ["bids"], "where": "auction + 1" },
                { "id": "eur", "type": "map", "inputs": ["q2"], "set": { "price": "prise * 2" } },
                { "id": "q2", "type": "filter", "inputs": ["bids"], "where": "true" },
                { "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"],
                  "window": { "type": "tumbling", "size": "10s" }, "aggregates": { "total": "sum price" } }
              ],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["q3", "eur", "w"], "path": "out" }] }
            """
        #expect(problems(text) == [
            "parallelism: expected an integer from 1 to 1024, got \"two\"",
            "checkpoints.interval: expected a duration like \"10s\", got \"ten\"",
            "operators[0].where: expected a bool expression, got int",
            "operators[1].set.price: unknown field \"prise\" (did you mean \"price\"?)",
            "operators[2].id: duplicate id \"q2\" (also operators[0].id)",
            "operators[3].aggregates.total: expected a call like sum(price), got \"sum price\"",
            "sinks[0].inputs[0]: \"q3\" is not a source or operator id",
        ])
    }

    @Test func unreadableNodesDoNotCascade() {
        // A source with a broken schema and an operator of unknown type: their consumers are not blamed.
        let text = JobText.job(
            sources: #"{ "id": "f", "type": "file", "path": "p", "schema": { "a": "integer" } }"#,
            operators: #"{ "id": "x", "type": "flter", "inputs": ["f"] }, { "id": "m", "type": "map", "inputs": ["f"], "select": ["a"] }"#,
            sinks: JobText.stdout("x", "m"))
        #expect(problems(text) == [
            "sources[0].schema.a: expected a type (int, float, string, bool or timestamp), got \"integer\"",
            "operators[0].type: expected \"filter\", \"map\", \"window\" or \"dedupe\", got \"flter\" (did you mean \"filter\"?)",
        ])
    }

    @Test func validatorAcceptsHandBuiltSpecs() throws {
        var spec = JobSpec(name: "hand")
        spec.sources = [SourceSpec(id: "g", kind: .generator, eventTime: EventTimeSpec(field: "dateTime"), jsonPath: "sources[0]")]
        spec.sinks = [SinkSpec(id: "o", kind: .stdout, inputs: ["g"], jsonPath: "sinks[0]")]
        let p = try JobValidator.validate(spec)
        #expect(p.node("g")?.outputSchema == SourceSpec.nexmarkBidSchema)
        do {
            _ = try JobValidator.validate(JobSpec(name: ""), file: "hand.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == """
                hand.json: 3 problems found
                  name: expected a non-empty string, got ""
                  sources: a job needs at least one source
                  sinks: a job needs at least one sink
                """)
        }
    }
}
