import StreamrunCore
import Testing

@testable import StreamrunPlan

/// Issue 11, items 8, 10 and 11: names, ids, numbers, sizes, durations and paths are bounded, and a
/// value outside its bounds is one message with the JSON path and the limit.
@Suite struct JobLimitsTests {
    static func job(top: String = "", source: String = "", operators: String = "", input: String = "bids") -> String {
        JobText.job(sources: #"{ "id": "bids", "type": "generator", "count": 10, \#(source) "eventTime": { "field": "dateTime" } }"#,
                    operators: operators, sinks: JobText.stdout(input), top: top)
    }

    static func window(_ window: String) -> String {
        #"{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": \#(window) }"#
    }

    // MARK: Item 8: names

    @Test(arguments: ["t", "q5-bids_per.auction", "A.b.c", String(repeating: "n", count: 128)])
    func safeNamesAreAccepted(_ name: String) {
        let text = Self.job().replacingOccurrences(of: #""name": "t""#, with: #""name": "\#(name)""#)
        #expect(problems(text) == [])
    }

    @Test(arguments: ["../../x", "..", ".", ".hidden", "a/b", "a b", "é", "a\\u0000b", String(repeating: "n", count: 129)])
    func unsafeNamesAreRefused(_ name: String) {
        let text = Self.job().replacingOccurrences(of: #""name": "t""#, with: #""name": "\#(name)""#)
        let found = problems(text)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("name: expected a name of at most 128 letters, digits, '_', '-' and '.', not starting with '.' "
            + "(it names the job's state and savepoint directories), got \"") == true, "\(found)")
    }

    @Test func validatorChecksNamesOfSpecsBuiltInCode() {
        let spec = JobSpec(name: "../x", sources: [SourceSpec(id: "g", kind: .generator, jsonPath: "sources[0]")],
                           sinks: [SinkSpec(id: "o", kind: .stdout, inputs: ["g"], jsonPath: "sinks[0]")])
        #expect(JobValidator.check(spec).issues.map(\.path) == ["name"])
    }

    // MARK: Item 11: ids

    @Test func idsFollowTheCheckpointStoreRule() {
        let ok = String(repeating: "i", count: 128), long = String(repeating: "i", count: 129)
        #expect(SafeNames.isValidID(ok) && !SafeNames.isValidID(long) && !SafeNames.isValidID("a.b") && !SafeNames.isValidID(""))
        #expect(problems(JobText.job(sinks: #"{ "id": "\#(ok)", "type": "stdout", "inputs": ["bids"] }"#)) == [])
        let found = problems(JobText.job(sinks: #"{ "id": "\#(long)", "type": "stdout", "inputs": ["bids"] }"#))
        #expect(found == ["sinks[0].id: expected an id of at most 128 characters (it is part of state file names), got 129: \""
            + String(repeating: "i", count: 40) + "…\""])
    }

    // MARK: Item 10: bounds

    @Test func parallelismAndKeyGroupsAreBounded() {
        #expect(problems(Self.job(top: #""parallelism": 1024, "maxParallelism": 32768,"#)) == [])
        #expect(problems(Self.job(top: #""parallelism": 10000, "maxParallelism": 10000,"#))
            == ["parallelism: expected an integer from 1 to 1024, got 10000"])
        #expect(problems(Self.job(top: #""maxParallelism": 32769,"#)) == ["maxParallelism: expected an integer from 1 to 32768, got 32769"])
        #expect(problems(Self.job(source: #""parallelism": 1025,"#)) == ["sources[0].parallelism: expected an integer from 1 to 1024, got 1025"])
    }

    @Test func generatorSplitsAreBounded() {
        #expect(problems(Self.job(source: #""splits": 4096,"#)) == [])
        #expect(problems(Self.job(source: #""splits": 9223372036854775807,"#))
            == ["sources[0].splits: expected an integer from 1 to 4096, got 9223372036854775807"])
    }

    @Test func slidingWindowsPerRecordAreBounded() {
        let ok = Self.window(#"{ "type": "sliding", "size": "10s", "slide": "100ms" }"#)
        #expect(problems(Self.job(operators: ok, input: "w")) == [])
        let bad = Self.window(#"{ "type": "sliding", "size": "10s", "slide": "1ms" }"#)
        #expect(problems(Self.job(operators: bad, input: "w")) == [
            "operators[0].window.slide: a record would belong to 10000 windows (size 10s / slide 1ms); at most 100 are allowed: make the slide larger",
        ])
    }

    @Test func durationsAreAtMost365Days() {
        #expect(problems(Self.job(operators: Self.window(#"{ "type": "tumbling", "size": "365d" }"#), input: "w")) == [])
        #expect(problems(Self.job(operators: Self.window(#"{ "type": "tumbling", "size": "366d" }"#), input: "w"))
            == ["operators[0].window.size: expected a duration of at most 365d, got \"366d\""])
        #expect(problems(Self.job(top: #""checkpoints": { "dir": "s", "timeout": "8760h1ms" },"#))
            == ["checkpoints.timeout: expected a duration of at most 365d, got \"8760h1ms\""])
    }

    @Test func ratesAndSizesAreBounded() {
        #expect(problems(Self.job(source: #""maxRecordsPerSecond": 0.001,"#)) == [])
        #expect(problems(Self.job(source: #""maxRecordsPerSecond": 1e300,"#))
            == ["sources[0].maxRecordsPerSecond: expected a number from 0.001 to 1000000000, got 1e300"])
        let file = { (size: String) in
            JobText.job(sources: #"{ "id": "f", "type": "file", "path": "p", "schema": { "a": "int" }, "splitSize": \#(size) }"#,
                        sinks: #"{ "id": "o", "type": "file", "inputs": ["f"], "path": "o", "rollSize": \#(size) }"#)
        }
        #expect(problems(file(#""1KB""#)) == [])
        #expect(problems(file("1023")) == [
            "sources[0].splitSize: expected a size from 1KB to 1TB, got 1023", "sinks[0].rollSize: expected a size from 1KB to 1TB, got 1023",
        ])
        #expect(problems(file(#""2048GB""#)).count == 2)
    }

    @Test func pathsWithANulCharacterAreRefused() {
        let text = JobText.job(sources: #"{ "id": "f", "type": "file", "path": "\u0000", "schema": { "a": "int" } }"#,
                               sinks: #"{ "id": "o", "type": "file", "inputs": ["f"], "path": "o\u0000", "partitionKey": "k\u0000" }"#,
                               top: #""checkpoints": { "dir": "st\u0000ate" },"#)
        #expect(problems(text) == [
            #"checkpoints.dir: a path must not contain a NUL character (\u0000), got "st\u0000ate""#,
            #"sources[0].path: a path must not contain a NUL character (\u0000), got "\u0000""#,
            #"sinks[0].path: a path must not contain a NUL character (\u0000), got "o\u0000""#,
            #"sinks[0].partitionKey: expected a directory key without '/' or '=', got "k\u0000""#,
        ])
    }

    // MARK: Item 15: durations, paths of missing keys, long values

    @Test(arguments: [("1m30s", 90_000), ("1h2m3s", 3_723_000), ("1s500ms", 1500), ("0", 0), ("0s", 0)] as [(String, Int64)])
    func compoundDurationsAreRead(_ text: String, _ ms: Int64) throws {
        let spec = parseSpec(Self.job(top: #""checkpoints": { "dir": "s", "minPause": "\#(text)" },"#))
        #expect(spec.issues == [])
        #expect(spec.spec.checkpoints?.minPauseMs == ms)
    }

    @Test(arguments: [(" 1s", " (no spaces)"), ("1s ", " (no spaces)"), ("10S", " (units are lower-case: ms, s, m, h, d)"),
                      ("01s", " (no leading zeros)"), ("1m05s", " (no leading zeros)"), ("1.5s", #" (whole numbers only: "1s500ms", not "1.5s")"#),
                      ("30s1m", #" (units from the largest to the smallest, each once, like "1m30s")"#),
                      ("1s1s", #" (units from the largest to the smallest, each once, like "1m30s")"#), ("ten", ""), ("10sec", "")])
    func sloppyDurationsAreRefusedWithAHint(_ text: String, _ hint: String) {
        #expect(problems(Self.job(top: #""checkpoints": { "dir": "s", "minPause": "\#(text)" },"#))
            == [#"checkpoints.minPause: expected a duration like "10s", got "\#(text)""# + hint])
    }

    @Test func longValuesAreCutInMessages() {
        let long = String(repeating: "x", count: 70_000)
        let text = JobText.job(sinks: #"{ "id": "out", "type": "stdout", "inputs": ["\#(long)"], "\#(long)": 1 }"#)
        let found = problems(text)
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.count < 250 }, "\(found.map(\.count))")
        #expect(found.contains("sinks[0].inputs[0]: \"" + String(repeating: "x", count: 80) + "…\" is not a source or operator id"))
        #expect(JobIssue.shorten("got 1" + String(repeating: "2", count: 200)).count == 4 + 80 + 1)
        #expect(JobIssue.shortened("a", "bad\nvalue").description == "a: bad\\nvalue")
    }
}
