import Foundation
import Testing

/// Issue 11, items 8–11: job.json files a hostile user wrote that passed `validate` and then escaped
/// the job directory, crashed (SIGSEGV) or ate memory until killed. Each reproduction now exits with
/// status 2 and one message naming the JSON path and the limit, before anything runs.
@Suite struct HostileJobTests {
    /// A generator job; `source` and `operators` splice keys and operators in, `input` feeds the sink.
    static func job(name: String = "hostile", top: String = "", source: String = "", operators: String = "",
                    input: String = "bids") -> String {
        #"""
        { "name": "\#(name)", \#(top)
          "sources": [{ "id": "bids", "type": "generator", "seed": 3, "count": 200, \#(source)
                        "eventTime": { "field": "dateTime" } }],
          "operators": [\#(operators)],
          "sinks": [{ "id": "out", "type": "file", "inputs": ["\#(input)"], "path": "out" }] }
        """#
    }

    static func filter(_ expression: String) -> String {
        #"{ "id": "f", "type": "filter", "inputs": ["bids"], "where": "\#(expression)" }"#
    }

    /// Writes `text` as job.json in a fresh directory and runs `streamrun <command> job.json` there.
    static func run(_ command: String, _ text: String, in dir: URL? = nil, _ name: String = #function) throws -> (Harness.Result, URL) {
        let d = try dir ?? Harness.tempDir(name)
        try Harness.write(text, to: d.appendingPathComponent("job.json"))
        return (try Harness.run([command, "job.json"], cwd: d), d)
    }

    /// `validate` (and `run`, which must refuse before doing anything) exit 2 with `expected` in the message.
    static func refused(_ text: String, _ expected: String, alsoRun: Bool = true, _ name: String = #function) throws {
        let (v, dir) = try run("validate", text, name)
        #expect(v.signal == nil, "validate died of signal \(v.signal ?? 0)")
        #expect(v.status == 2, "validate exit \(v.status): \(v.stderr.prefix(2000))")
        #expect(v.stderr.contains(expected), "missing \(expected) in: \(v.stderr.prefix(2000))")
        #expect(!v.stderr.contains("Fatal error") && !v.stderr.contains("Stack dump"), "\(v.stderr.prefix(2000))")
        // Only run what validation refuses: before the fix these jobs crashed or ate memory.
        guard alsoRun, v.status == 2 else { return }
        let r = try Harness.run(["run", "job.json"], cwd: dir, timeout: 60)
        #expect(r.signal == nil && r.status == 2, "run: exit \(r.status), signal \(r.signal ?? 0): \(r.stderr.prefix(2000))")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "run wrote output")
    }

    // MARK: Item 8: the job name is a directory name

    /// Repro: `"name": "../../x"` made `.streamrun/../../x/` a directory outside the job's.
    @Test func nameWithDotDotEscapingTheJobDirectoryIsRefused() throws {
        let unique = "escaped-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let (v, dir) = try Self.run("validate", Self.job(name: "../../\(unique)"))
        let outside = dir.deletingLastPathComponent().appendingPathComponent(unique)
        defer { try? FileManager.default.removeItem(at: outside) }
        #expect(v.status == 2, "validate exit \(v.status): \(v.stderr)")
        #expect(v.stderr.contains("name: expected a name of at most 128 letters, digits, '_', '-' and '.', not starting with '.'"), "\(v.stderr)")
        let r = try Harness.run(["run", "job.json"], cwd: dir)
        #expect(r.status == 2, "run exit \(r.status): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outside.path), "run created \(outside.path)")
    }

    @Test(arguments: [".hidden", "a/b", "..", "q5 final", "é", String(repeating: "n", count: 129)])
    func unsafeNamesAreRefused(_ name: String) throws {
        try Self.refused(Self.job(name: name), "name: expected a name of at most 128", alsoRun: false)
    }

    @Test func safeNamesWithDotsDashesAndUnderscoresAreAccepted() throws {
        let (v, _) = try Self.run("validate", Self.job(name: "q5.v2-final_1" + String(repeating: "n", count: 115)))
        #expect(v.status == 0, "\(v.stderr)")
    }

    // MARK: Item 9: deep expressions

    /// Repro: 10,000 parentheses in a `where` crashed `validate` with SIGSEGV.
    @Test func tenThousandParenthesesAreRefusedNotACrash() throws {
        let e = String(repeating: "(", count: 10_000) + "price" + String(repeating: ")", count: 10_000) + " > 0"
        try Self.refused(Self.job(operators: Self.filter(e), input: "f"),
                         "operators[0].where: expression nests deeper than 64 levels")
    }

    /// Repro: 10,000 nested `lower(` crashed `validate` with SIGSEGV.
    @Test func tenThousandNestedCallsAreRefusedNotACrash() throws {
        let e = String(repeating: "lower(", count: 10_000) + "channel" + String(repeating: ")", count: 10_000) + " == 'x'"
        try Self.refused(Self.job(operators: Self.filter(e), input: "f"),
                         "operators[0].where: expression nests deeper than 64 levels")
    }

    /// Repro: a `where` of 20,000 `price+price+…` terms passed `validate` and crashed `run` (SIGSEGV; a
    /// debug build already crashed in `validate`, from about 4,000 terms): a left-associative chain is a
    /// tree as deep as it is long, even without parentheses.
    @Test func twentyThousandTermChainIsRefusedNotACrashAtRun() throws {
        let e = "price" + String(repeating: " + price", count: 19_999) + " > 0"
        try Self.refused(Self.job(operators: Self.filter(e), input: "f"),
                         "operators[0].where: expression has more than 1000 operators")
    }

    @Test func stackedUnaryOperatorsAreRefused() throws {
        let e = String(repeating: "!", count: 10_000) + "true"
        try Self.refused(Self.job(operators: Self.filter(e), input: "f"), "operators[0].where: expression nests deeper than 64 levels")
    }

    /// The deepest expression the limits allow (63 nested calls around a chain of 998 additions, 999
    /// operators) is type-checked, compiled and evaluated without running out of stack.
    @Test func theDeepestAllowedExpressionRuns() throws {
        let chain = "price" + String(repeating: " + price", count: 998)
        let e = String(repeating: "abs(", count: 63) + chain + String(repeating: ")", count: 63) + " >= 0"
        let set = #"{ "id": "m", "type": "map", "inputs": ["f"], "set": { "total": "\#(String(repeating: "abs(", count: 63) + chain + String(repeating: ")", count: 63))" } }"#
        let (r, dir) = try Self.run("run", Self.job(operators: Self.filter(e) + ", " + set, input: "m"))
        #expect(r.signal == nil && r.status == 0, "exit \(r.status), signal \(r.signal ?? 0): \(r.stderr.prefix(2000))")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count > 0)
    }

    // MARK: Item 10: bounds

    /// Repro: `"splits": 9223372036854775807` validated and then ate memory until killed.
    @Test func hugeGeneratorSplitsAreRefused() throws {
        try Self.refused(Self.job(source: #""splits": 9223372036854775807,"#),
                         "sources[0].splits: expected an integer from 1 to 4096, got 9223372036854775807")
    }

    /// Repro: `"parallelism": 10000` with `"maxParallelism": 10000` validated and then ate memory.
    @Test func parallelismTenThousandIsRefused() throws {
        try Self.refused(Self.job(top: #""parallelism": 10000, "maxParallelism": 10000,"#),
                         "parallelism: expected an integer from 1 to 1024, got 10000")
        try Self.refused(Self.job(top: #""maxParallelism": 40000,"#), "maxParallelism: expected an integer from 1 to 32768, got 40000")
        try Self.refused(Self.job(source: #""parallelism": 2000,"#), "sources[0].parallelism: expected an integer from 1 to 1024, got 2000")
    }

    /// Repro: a source `"path": "\u0000"` validated, then the directory listing recursed without end
    /// (the C library cut the path at the NUL, so every entry looked like a directory).
    @Test func pathWithANulCharacterIsRefused() throws {
        let text = #"""
            { "name": "nul", "sources": [{ "id": "in", "type": "file", "path": "\u0000", "schema": { "a": "int" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["in"], "path": "out" }] }
            """#
        try Self.refused(text, "sources[0].path: a path must not contain a NUL character")
    }

    /// Repro: a sliding window of size 10s and slide 1ms (10,000 windows per record) validated, then
    /// ate memory and ignored SIGTERM for seconds.
    @Test func slidingWindowWithTenThousandWindowsPerRecordIsRefused() throws {
        let w = #"{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "sliding", "size": "10s", "slide": "1ms" }, "aggregates": { "n": "count()" } }"#
        try Self.refused(Self.job(operators: w, input: "w"), "operators[0].window.slide: a record would belong to 10000 windows")
    }

    /// Rates and durations whose arithmetic overflowed 64 bits at run time.
    @Test func outOfRangeRatesSizesAndDurationsAreRefused() throws {
        try Self.refused(Self.job(source: #""maxRecordsPerSecond": 1e300,"#),
                         "sources[0].maxRecordsPerSecond: expected a number from 0.001 to 1000000000, got 1e300")
        let w = #"{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "106751991167d" } }"#
        try Self.refused(Self.job(operators: w, input: "w"), "operators[0].window.size: expected a duration of at most 365d")
        let sink = #"{ "name": "t", "sources": [{ "id": "in", "type": "file", "path": "in", "schema": { "a": "int" }, "splitSize": 1 }], "sinks": [{ "id": "out", "type": "stdout", "inputs": ["in"] }] }"#
        try Self.refused(sink, "sources[0].splitSize: expected a size from 1KB to 1TB, got 1", alsoRun: false)
    }

    /// A directory source holding a symbolic link back to itself: every file is read once and the
    /// listing ends (before, it followed the link until the path was too long, reading files again).
    @Test func symlinkCycleInASourceDirectoryIsListedOnce() throws {
        let dir = try Harness.tempDir()
        let input = dir.appendingPathComponent("in")
        try Harness.write((1...5).map { #"{"a": \#($0)}"# }.joined(separator: "\n") + "\n", to: input.appendingPathComponent("a.jsonl"))
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("loop").path, withDestinationPath: ".")
        let text = #"""
            { "name": "cycle", "sources": [{ "id": "in", "type": "file", "path": "in", "schema": { "a": "int" } }],
              "sinks": [{ "id": "out", "type": "file", "inputs": ["in"], "path": "out" }] }
            """#
        let (r, _) = try Self.run("run", text, in: dir)
        #expect(r.signal == nil && r.status == 0, "exit \(r.status): \(r.stderr.prefix(2000))")
        #expect(Harness.sortedLines(dir.appendingPathComponent("out")).count == 5)
    }

    // MARK: Item 11: ids are part of state file names

    /// Repro: an id of 129 characters passed `validate` and failed only at the first checkpoint
    /// (state file names embed it), which was then retried three times as if transient.
    @Test func idLongerThan128CharactersIsRefused() throws {
        let id = String(repeating: "s", count: 129)
        let text = Self.job(top: #""checkpoints": { "dir": "state", "interval": "50ms" },"#)
            .replacingOccurrences(of: #""id": "bids""#, with: #""id": "\#(id)""#)
            .replacingOccurrences(of: #""inputs": ["bids"]"#, with: #""inputs": ["\#(id)"]"#)
        try Self.refused(text, "sources[0].id: expected an id of at most 128 characters (it is part of state file names), got 129")
    }

    /// The longest id validation accepts is one the checkpoint store accepts: a job with 128-character
    /// ids checkpoints and finishes.
    @Test func idsOf128CharactersCheckpoint() throws {
        let s = String(repeating: "s", count: 128), w = String(repeating: "w", count: 128)
        let op = #"{ "id": "\#(w)", "type": "window", "inputs": ["\#(s)"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "1s" }, "aggregates": { "n": "count()" } }"#
        let text = Self.job(top: #""checkpoints": { "dir": "state", "interval": "50ms" },"#, operators: op, input: w)
            .replacingOccurrences(of: #""id": "bids""#, with: #""id": "\#(s)""#)
        let (r, dir) = try Self.run("run", text)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr.prefix(2000))")
        let files = Harness.tree(dir.appendingPathComponent("state")).keys
        #expect(files.contains { $0.contains("op-\(w)-00000.state.lz4") }, "\(files.sorted())")
    }
}
