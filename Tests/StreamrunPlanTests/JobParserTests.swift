import StreamrunCore
import Testing
@testable import StreamrunPlan

@Suite("job.json parser")
struct JobParserTests {
    static let example = """
        {
          "name": "q5-bids-per-auction",
          "parallelism": 2,
          "checkpoints": { "dir": "state/q5", "interval": "1s", "retain": 3 },
          "sources": [
            { "id": "bids", "type": "file", "path": "data/bids.jsonl", "format": "jsonl",
              "schema": { "auction": "int", "bidder": "int", "price": "int", "channel": "string",
                          "url": "string", "dateTime": "timestamp", "extra": "string" },
              "eventTime": { "field": "dateTime", "maxOutOfOrderness": "0s" } }
          ],
          "operators": [
            { "id": "q2", "type": "filter", "inputs": ["bids"], "where": "auction % 123 == 0" },
            { "id": "eur", "type": "map", "inputs": ["bids"], "set": { "price": "price * 0.908" } },
            { "id": "counts", "type": "window", "inputs": ["bids"], "keyBy": ["auction"],
              "window": { "type": "tumbling", "size": "10s" }, "aggregates": { "count": "count()" } }
          ],
          "sinks": [
            { "id": "out", "type": "file", "inputs": ["q2"], "path": "out/q2", "format": "csv",
              "fields": ["auction", "price"], "header": false }
          ]
        }
        """

    @Test func readsTheContractExample() throws {
        let (spec, issues) = parseSpec(Self.example)
        #expect(issues == [])
        #expect(spec.name == "q5-bids-per-auction")
        #expect(spec.parallelism == 2)
        #expect(spec.maxParallelism == 128)
        #expect(spec.checkpoints == CheckpointSpec(dir: "state/q5", intervalMs: 1000, retain: 3, timeoutMs: 600_000, minPauseMs: 0))
        let s = try #require(spec.sources.first)
        #expect(s.id == "bids" && s.kind == .file && s.path == "data/bids.jsonl" && s.format == .jsonl)
        #expect(s.schema.names == ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"])
        #expect(s.schema.field(named: "dateTime")?.type == .timestamp)
        #expect(s.eventTime == EventTimeSpec(field: "dateTime", maxOutOfOrdernessMs: 0))
        #expect(s.jsonPath == "sources[0]")
        #expect(spec.operators.map(\.id) == ["q2", "eur", "counts"])
        #expect(spec.operators.map(\.jsonPath) == ["operators[0]", "operators[1]", "operators[2]"])
        #expect(spec.operators[0].whereExpr == "auction % 123 == 0")
        #expect(spec.operators[1].set.map(\.field) == ["price"])
        #expect(spec.operators[1].set.map(\.expr) == ["price * 0.908"])
        let w = spec.operators[2]
        #expect(w.keyBy == ["auction"] && w.window == .tumbling(sizeMs: 10_000))
        #expect(w.aggregates == [AggregateSpec(name: "count", function: .count, argument: nil)])
        let k = try #require(spec.sinks.first)
        #expect(k.kind == .file && k.inputs == ["q2"] && k.path == "out/q2" && k.format == .csv)
        #expect(k.fields == ["auction", "price"] && k.header == false && k.jsonPath == "sinks[0]")
    }

    @Test func appliesDefaults() throws {
        let text = JobText.job(
            sources: #"{ "id": "g", "type": "generator" }, { "id": "f", "type": "file", "path": "d", "schema": { "a": "int" } }"#,
            sinks: #"{ "id": "o", "type": "file", "inputs": ["g", "f"], "path": "out" }, { "id": "s", "type": "stdout", "inputs": ["g"] }"#,
            top: #""checkpoints": { "dir": "state" },"#)
        let (spec, issues) = parseSpec(text)
        #expect(issues == [])
        #expect(spec.parallelism == 1 && spec.maxParallelism == 128 && spec.operators.isEmpty)
        #expect(spec.checkpoints == CheckpointSpec(dir: "state", intervalMs: 10_000, retain: 3, timeoutMs: 600_000, minPauseMs: 0))
        let g = spec.sources[0]
        #expect(g.kind == .generator && g.seed == 0 && g.count == nil && g.splits == 8 && g.parallelism == nil)
        #expect(g.schema == SourceSpec.nexmarkBidSchema)
        let f = spec.sources[1]
        #expect(f.format == .jsonl && f.follow == false && f.csvHeader == false && f.csvDelimiter == UInt8(ascii: ","))
        #expect(f.splitBytes == 16 << 20 && f.eventTime == nil && f.maxRecordsPerSecond == nil)
        let o = spec.sinks[0]
        #expect(o.format == .jsonl && o.fields == nil && o.header == false && o.partitionBy == nil)
        #expect(o.partitionKey == "dt" && o.rollBytes == 128 << 20 && o.parallelism == nil)
        #expect(spec.sinks[1].kind == .stdout)
    }

    @Test func readsEveryKeyOfEveryKind() throws {
        let text = """
            { "$schema": "../docs/job.schema.json", "name": "all", "parallelism": 4, "maxParallelism": 256,
              "_comment": "keys starting with _ are comments",
              "checkpoints": { "dir": "st", "interval": "250ms", "retain": 5, "timeout": "1m", "minPause": "2s" },
              "control": { "host": "0.0.0.0", "port": 8081 },
              "sources": [
                { "id": "f", "type": "file", "path": "in/*.csv", "format": "csv", "schema": { "b": "bool", "a": "float" },
                  "follow": true, "header": true, "delimiter": "\\t", "splitSize": "64KB", "parallelism": 3,
                  "maxRecordsPerSecond": 2.5, "eventTime": { "field": "a", "maxOutOfOrderness": "5s", "idleTimeout": "1h" } },
                { "id": "g", "type": "generator", "seed": 42, "count": 1000, "splits": 2, "sede": 1, "_x": 0 }
              ],
              "operators": [
                { "id": "m", "type": "map", "inputs": ["g"], "set": { "z": "1", "a": "2" }, "drop": ["url"], "select": ["z", "a"],
                  "parallelism": 2 },
                { "id": "w", "type": "window", "inputs": ["m"], "window": { "type": "sliding", "size": "1m", "slide": "10s" },
                  "aggregates": { "n": "count(*)", "s": "sum(price * 2)", "lo": "min(x)", "hi": "max(x)", "av": "avg(x)",
                                  "f": "first(x)", "l": "last(x)", "d": "count_distinct(lower(x))" },
                  "allowedLateness": "3s", "stateTtl": "1d" },
                { "id": "s", "type": "window", "inputs": ["w.late"], "keyBy": [], "window": { "type": "session", "gap": "30s" } },
                { "id": "d", "type": "dedupe", "inputs": ["g"], "keyBy": ["auction", "bidder"], "within": "1h", "stateTtl": "2h" }
              ],
              "sinks": [
                { "id": "o", "type": "file", "inputs": ["s"], "path": "out", "format": "csv", "fields": ["a"], "header": true,
                  "partitionBy": "date(dateTime)", "partitionKey": "day", "rollSize": 1048576, "parallelism": 2 },
                { "id": "p", "type": "stdout", "inputs": ["d"], "format": "csv", "fields": ["auction"], "parallelism": 1 }
              ] }
            """
        let (spec, issues) = parseSpec(text)
        #expect(issues == ["sources[1].sede: unknown key \"sede\" (did you mean \"seed\"?)"])
        #expect(spec.parallelism == 4 && spec.maxParallelism == 256)
        #expect(spec.checkpoints == CheckpointSpec(dir: "st", intervalMs: 250, retain: 5, timeoutMs: 60_000, minPauseMs: 2000))
        #expect(spec.control == ControlSpec(host: "0.0.0.0", port: 8081))
        let f = spec.sources[0]
        #expect(f.path == "in/*.csv" && f.format == .csv && f.schema.names == ["b", "a"] && f.follow && f.csvHeader)
        #expect(f.csvDelimiter == 9 && f.splitBytes == 64 << 10 && f.parallelism == 3 && f.maxRecordsPerSecond == 2.5)
        #expect(f.eventTime == EventTimeSpec(field: "a", maxOutOfOrdernessMs: 5000, idleTimeoutMs: 3_600_000))
        let g = spec.sources[1]
        #expect(g.seed == 42 && g.count == 1000 && g.splits == 2)
        let m = spec.operators[0]
        #expect(m.set.map(\.field) == ["z", "a"] && m.drop == ["url"] && m.select == ["z", "a"] && m.parallelism == 2)
        let w = spec.operators[1]
        #expect(w.keyBy == [] && w.window == .sliding(sizeMs: 60_000, slideMs: 10_000))
        #expect(w.aggregates.map(\.name) == ["n", "s", "lo", "hi", "av", "f", "l", "d"])
        #expect(w.aggregates.map(\.function) == [.count, .sum, .min, .max, .avg, .first, .last, .countDistinct])
        #expect(w.aggregates.map(\.argument) == [nil, "price * 2", "x", "x", "x", "x", "x", "lower(x)"])
        #expect(w.allowedLatenessMs == 3000 && w.stateTtlMs == 86_400_000)
        #expect(spec.operators[2].window == .session(gapMs: 30_000) && spec.operators[2].inputs == ["w.late"])
        let d = spec.operators[3]
        #expect(d.kind == .dedupe && d.keyBy == ["auction", "bidder"] && d.withinMs == 3_600_000 && d.stateTtlMs == 7_200_000)
        let o = spec.sinks[0]
        #expect(o.format == .csv && o.fields == ["a"] && o.header && o.partitionBy == "date(dateTime)")
        #expect(o.partitionKey == "day" && o.rollBytes == 1 << 20 && o.parallelism == 2)
        let p = spec.sinks[1]
        #expect(p.kind == .stdout && p.format == .csv && p.fields == ["auction"] && p.parallelism == 1)
    }

    @Test func unknownKeysSuggestTheNearestKey() {
        let text = JobText.job(operators: #"{ "id": "q", "type": "filter", "inputs": ["bids"], "wehre": "true", "where": "true" }"#,
                               sinks: JobText.stdout("q"), top: #""paralelism": 2, "colour": 1,"#)
        #expect(parseSpec(text).issues == [
            "paralelism: unknown key \"paralelism\" (did you mean \"parallelism\"?)",
            "colour: unknown key \"colour\"",
            "operators[0].wehre: unknown key \"wehre\" (did you mean \"where\"?)",
        ])
    }

    @Test func keysOfAnotherTypeSayWhichTypeTheyApplyTo() {
        let text = JobText.job(
            sources: #"{ "id": "g", "type": "generator", "path": "x" }"#,
            operators: #"{ "id": "q", "type": "filter", "inputs": ["g"], "where": "true", "keyBy": ["a"], "set": {} }"#,
            sinks: #"{ "id": "o", "type": "stdout", "inputs": ["q"], "path": "out", "header": true }"#)
        #expect(parseSpec(text).issues == [
            "sources[0].path: \"path\" applies to file sources, not generator sources",
            "operators[0].keyBy: \"keyBy\" applies to window and dedupe operators, not filter operators",
            "operators[0].set: \"set\" applies to map operators, not filter operators",
            "sinks[0].path: \"path\" applies to file sinks, not stdout sinks",
            "sinks[0].header: \"header\" applies to file sinks, not stdout sinks",
        ])
    }

    @Test func missingRequiredKeys() {
        let text = """
            { "sources": [{ "id": "f", "type": "file" }],
              "operators": [{ "id": "w", "type": "window" }, { "type": "dedupe", "inputs": ["f"] }, { "id": "x" }],
              "sinks": [{ "id": "o", "type": "file", "inputs": ["w"] }],
              "checkpoints": {} }
            """
        #expect(parseSpec(text).issues == [
            "name: missing required key \"name\"",
            "checkpoints: missing required key \"dir\"",
            "sources[0]: missing required key \"path\"",
            "sources[0]: missing required key \"schema\"",
            "operators[0]: missing required key \"inputs\"",
            "operators[0]: missing required key \"window\"",
            "operators[1]: missing required key \"id\"",
            "operators[1]: missing required key \"keyBy\"",
            "operators[1]: missing required key \"within\"",
            "operators[2]: missing required key \"type\"",
            "operators[2]: missing required key \"inputs\"",
            "sinks[0]: missing required key \"path\"",
        ])
    }

    @Test func controlSection() {
        let job = { (control: String) in JobText.job(sinks: JobText.stdout("bids"), top: #""control": \#(control),"#) }
        #expect(parseSpec(job("{}")).spec.control == ControlSpec(host: "127.0.0.1", port: 0))
        #expect(parseSpec(JobText.job(sinks: JobText.stdout("bids"))).spec.control == nil)
        #expect(parseSpec(job(#"{ "host": "", "port": 70000, "prot": 1 }"#)).issues == [
            "control.prot: unknown key \"prot\" (did you mean \"port\"?)",
            "control.host: expected a non-empty string, got \"\"",
            "control.port: expected a port from 0 to 65535, got 70000",
        ])
        #expect(parseSpec(job("8080")).issues == ["control: expected an object, got 8080"])
    }

    @Test func jobNeedsSourcesAndSinks() {
        #expect(problems(#"{ "name": "x" }"#) == ["sources: missing required key \"sources\"", "sinks: missing required key \"sinks\""])
        #expect(problems(#"{ "name": "x", "sources": [], "sinks": [] }"#) == [
            "sources: a job needs at least one source", "sinks: a job needs at least one sink",
        ])
        #expect(problems("[1]") == ["expected a JSON object at the top level, got an array"])
        #expect(problems(#"{ "name": "x", "sources": {}, "sinks": 3 }"#) == [
            "sources: expected an array of objects, got an object", "sinks: expected an array of objects, got 3",
        ])
    }

    @Test func wrongJSONTypes() {
        let text = """
            { "name": 5, "parallelism": "two", "maxParallelism": 0,
              "checkpoints": { "dir": "", "interval": "ten", "retain": 1.5, "timeout": "0s", "minPause": 10 },
              "sources": [
                { "id": "f", "type": "file", "path": "p", "format": "parquet", "schema": { "a": "integer", "b": "strng" },
                  "follow": "yes", "maxRecordsPerSecond": 0, "splitSize": "lots", "eventTime": "a" },
                { "id": "g", "type": "generator", "seed": -1, "count": -5, "splits": 0, "parallelism": 0 },
                "nope"
              ],
              "operators": [
                { "id": "q", "type": "filter", "inputs": "f", "where": "" },
                { "id": "m", "type": "map", "inputs": [1, ""], "set": { "x": 3 }, "drop": "a" }
              ],
              "sinks": [{ "id": "o", "type": "stdout", "inputs": [], "fields": [] }] }
            """
        #expect(parseSpec(text).issues == [
            "name: expected a string, got 5",
            "parallelism: expected an integer from 1 to 1024, got \"two\"",
            "maxParallelism: expected an integer from 1 to 32768, got 0",
            "checkpoints.dir: expected a non-empty string, got \"\"",
            "checkpoints.interval: expected a duration like \"10s\", got \"ten\"",
            "checkpoints.retain: expected an integer ≥ 1, got 1.5",
            "checkpoints.timeout: expected a duration greater than 0, got \"0s\"",
            "checkpoints.minPause: expected a duration like \"10s\", got 10",
            "sources[0].maxRecordsPerSecond: expected a number from 0.001 to 1000000000, got 0",
            "sources[0].eventTime: expected an object, got \"a\"",
            "sources[0].format: expected \"jsonl\" or \"csv\", got \"parquet\"",
            "sources[0].schema.a: expected a type (int, float, string, bool or timestamp), got \"integer\"",
            "sources[0].schema.b: expected a type (int, float, string, bool or timestamp), got \"strng\" (did you mean \"string\"?)",
            "sources[0].follow: expected true or false, got \"yes\"",
            "sources[0].splitSize: expected a size like \"16MB\" or a number of bytes, got \"lots\"",
            "sources[1].parallelism: expected an integer from 1 to 1024, got 0",
            "sources[1].seed: expected an integer ≥ 0, got -1",
            "sources[1].count: expected an integer ≥ 0, got -5",
            "sources[1].splits: expected an integer from 1 to 4096, got 0",
            "sources[2]: expected an object, got \"nope\"",
            "operators[0].inputs: expected an array of strings, got \"f\"",
            "operators[0].where: expected a non-empty string, got \"\"",
            "operators[1].inputs[0]: expected a non-empty string, got 1",
            "operators[1].inputs[1]: expected a non-empty string, got \"\"",
            "operators[1].set.x: expected an expression string, got 3",
            "operators[1].drop: expected an array of strings, got \"a\"",
            "sinks[0].inputs: expected at least one entry",
            "sinks[0].fields: expected at least one entry",
        ])
    }

    @Test func enumsSuggestTheNearestValue() {
        let text = JobText.job(sources: #"{ "id": "f", "type": "fiel", "path": "p" }"#,
                               operators: #"{ "id": "w", "type": "windw", "inputs": ["f"] }"#,
                               sinks: #"{ "id": "o", "type": "kafka", "inputs": ["w"] }"#)
        #expect(problems(text) == [
            "sources[0].type: expected \"file\" or \"generator\", got \"fiel\" (did you mean \"file\"?)",
            "operators[0].type: expected \"filter\", \"map\", \"window\" or \"dedupe\", got \"windw\" (did you mean \"window\"?)",
            "sinks[0].type: expected \"file\" or \"stdout\", got \"kafka\"",
        ])
    }

    @Test func idsAreLettersDigitsUnderscoreAndDash() {
        let text = JobText.job(operators: #"{ "id": "a.b", "type": "filter", "inputs": ["bids"], "where": "true" }"#,
                               sinks: #"{ "id": "ok_-1", "type": "stdout", "inputs": ["bids"] }"#)
        #expect(parseSpec(text).issues == ["operators[0].id: expected an id of letters, digits, '_' and '-', got \"a.b\""])
        // A reference to the bad id is not reported a second time.
        let ref = JobText.job(operators: #"{ "id": "a b", "type": "filter", "inputs": ["bids"], "where": "true" }"#,
                              sinks: JobText.stdout("a b"))
        #expect(problems(ref) == ["operators[0].id: expected an id of letters, digits, '_' and '-', got \"a b\""])
    }

    @Test func durationsAndSizes() {
        #expect(JobReader.parseByteSize("16MB") == 16 << 20)
        #expect(JobReader.parseByteSize("64 KiB") == 64 << 10)
        #expect(JobReader.parseByteSize("1gb") == 1 << 30)
        #expect(JobReader.parseByteSize("512") == 512)
        #expect(JobReader.parseByteSize("512B") == 512)
        #expect(JobReader.parseByteSize("1.5MB") == nil)
        #expect(JobReader.parseByteSize("MB") == nil)
        let text = JobText.job(operators: """
            { "id": "w", "type": "window", "inputs": ["bids"],
              "window": { "type": "sliding", "size": "10s", "slide": "20s" }, "allowedLateness": "soon" },
            { "id": "w2", "type": "window", "inputs": ["bids"], "window": { "type": "tumbling", "size": "0s", "gap": "1s" } }
            """, sinks: JobText.stdout("w", "w2"))
        #expect(parseSpec(text).issues == [
            "operators[0].window.slide: the slide (20s) must not be larger than the size (10s)",
            "operators[0].allowedLateness: expected a duration like \"10s\", got \"soon\"",
            "operators[1].window.gap: \"gap\" applies to session windows, not tumbling windows",
            "operators[1].window.size: expected a duration greater than 0, got \"0s\"",
        ])
    }

    @Test func csvOnlyKeysAndDelimiter() {
        let text = JobText.job(
            sources: #"{ "id": "f", "type": "file", "path": "p", "schema": { "a": "int" }, "header": true, "delimiter": ";;" }"#,
            sinks: #"{ "id": "o", "type": "file", "inputs": ["f"], "path": "o", "header": true, "partitionKey": "a/b" }"#)
        #expect(parseSpec(text).issues == [
            "sources[0].delimiter: expected one character like \",\" or \"\\t\", got \";;\"",
            "sources[0].header: \"header\" applies only to \"format\": \"csv\"",
            "sources[0].delimiter: \"delimiter\" applies only to \"format\": \"csv\"",
            "sinks[0].header: \"header\" applies only to \"format\": \"csv\"",
            "sinks[0].partitionKey: expected a directory key without '/' or '=', got \"a/b\"",
        ])
    }

    @Test func generatorSchemaIsFixed() {
        let text = JobText.job(sources: #"{ "id": "g", "type": "generator", "schema": { "a": "int" } }"#, sinks: JobText.stdout("g"))
        #expect(problems(text) == [
            "sources[0].schema: a generator source has a fixed schema (the Nexmark bid stream: auction, bidder, price, channel, url, dateTime, extra); remove \"schema\"",
        ])
    }

    @Test func aggregateSyntax() {
        let text = JobText.job(operators: """
            { "id": "w", "type": "window", "inputs": ["bids"], "window": { "type": "tumbling", "size": "1s" },
              "aggregates": { "total": "sum price", "two": "sum(a) + max(b)", "n": 3, "s": "summ(price)",
                              "c": "count(price)", "e": "max()", "ok": " sum( (price) ) ", "q": "max(concat(')', url))" } }
            """, sinks: JobText.stdout("w"))
        let (spec, issues) = parseSpec(text)
        #expect(issues == [
            "operators[0].aggregates.total: expected a call like sum(price), got \"sum price\"",
            "operators[0].aggregates.two: expected a call like sum(price), got \"sum(a) + max(b)\"",
            "operators[0].aggregates.n: expected a call like sum(price), got 3",
            "operators[0].aggregates.s: unknown aggregate \"summ\" (did you mean \"sum\"?); expected one of count(), sum(), min(), max(), avg(), first(), last() or count_distinct()",
            "operators[0].aggregates.c: count() takes no argument; to count distinct values use count_distinct(x)",
            "operators[0].aggregates.e: max needs an argument, like max(price)",
        ])
        #expect(spec.operators.first?.aggregates.map(\.argument) == ["(price)", "concat(')', url)"])
    }

    @Test func keyOrderDecidesSchemaSetAndAggregateOrder() {
        let text = JobText.job(
            sources: #"{ "id": "f", "type": "file", "path": "p", "schema": { "z": "int", "a": "int", "m": "string" } }"#,
            operators: """
                { "id": "m", "type": "map", "inputs": ["f"], "set": { "y": "1", "b": "2", "x": "3" } },
                { "id": "w", "type": "window", "inputs": ["m"], "window": { "type": "tumbling", "size": "1s" },
                  "aggregates": { "zz": "count()", "aa": "max(a)", "mm": "min(a)" } }
                """, sinks: JobText.stdout("w"))
        let (spec, issues) = parseSpec(text)
        #expect(issues == [])
        #expect(spec.sources[0].schema.names == ["z", "a", "m"])
        #expect(spec.operators[0].set.map(\.field) == ["y", "b", "x"])
        #expect(spec.operators[1].aggregates.map(\.name) == ["zz", "aa", "mm"])
    }
}
