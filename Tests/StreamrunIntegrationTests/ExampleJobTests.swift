import Foundation
import Testing

/// The shipped examples, run through the built binary in a scratch copy, compared with the expected
/// output committed next to them (`expected/`), file by file and byte by byte.
@Suite struct ExampleJobTests {
    static let examples = ["filter-bids", "generator-q0", "window-bids", "late-data", "bad-records", "failing-well"]

    /// Copies an example (job and data, not its out/ or expected/) into a fresh directory.
    static func stage(_ name: String) throws -> URL {
        let src = Harness.packageRoot.appendingPathComponent("examples/\(name)")
        let dir = try Harness.tempDir(name)
        for item in try FileManager.default.contentsOfDirectory(atPath: src.path) where !["out", "expected", "state"].contains(item) {
            try FileManager.default.copyItem(at: src.appendingPathComponent(item), to: dir.appendingPathComponent(item))
        }
        return dir
    }

    @Test(arguments: examples)
    func committedOutputMatchesExpected(_ name: String) throws {
        let dir = try Self.stage(name)
        let r = try Harness.run(["job.json"], cwd: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let got = Harness.tree(dir.appendingPathComponent("out"))
        let expected = Harness.tree(Harness.packageRoot.appendingPathComponent("examples/\(name)/expected"))
        #expect(!expected.isEmpty)
        #expect(got.keys.sorted() == expected.keys.sorted())
        for (path, text) in expected { #expect(got[path] == text, "\(name): \(path) differs") }
        #expect(r.stderr.contains("finished"), "summary missing: \(r.stderr)")
    }

    /// The failing-well drill (an outage switched on by a file) is a valid job that needs `--allow-faults`.
    @Test func theDrillValidatesAndAsksForAllowFaults() throws {
        let dir = try Self.stage("failing-well")
        let v = try Harness.run(["validate", "drill.json"], cwd: dir)
        #expect(v.status == 0, "\(v.stderr)")
        let r = try Harness.run(["drill.json"], cwd: dir)
        #expect(r.status == 2 && r.stderr.contains("--allow-faults"), "\(r.stderr)")
    }

    @Test func sameJobTwiceIsByteIdentical() throws {
        let a = try Self.stage("filter-bids"), b = try Self.stage("filter-bids")
        #expect(try Harness.run(["job.json"], cwd: a).status == 0)
        #expect(try Harness.run(["run", "job.json"], cwd: b).status == 0)
        let ta = Harness.tree(a.appendingPathComponent("out")), tb = Harness.tree(b.appendingPathComponent("out"))
        #expect(!ta.isEmpty)
        #expect(ta == tb)
    }

    @Test func parallelismDoesNotChangeTheRecords() throws {
        var results: [[String]] = []
        for p in [1, 2, 3] {
            let dir = try Self.stage("filter-bids")
            let job = dir.appendingPathComponent("job.json")
            let text = try String(contentsOf: job, encoding: .utf8)
                .replacingOccurrences(of: #""parallelism": 2"#, with: #""parallelism": \#(p)"#)
                .replacingOccurrences(of: #""header": true"#, with: #""header": false"#)
            try Harness.write(text, to: job)
            let r = try Harness.run(["job.json"], cwd: dir)
            #expect(r.status == 0, "p=\(p): \(r.stderr)")
            results.append(Harness.sortedLines(dir.appendingPathComponent("out")))
        }
        #expect(!results[0].isEmpty)
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
    }

    @Test func planShowsChainingAndKeyedEdges() throws {
        let dir = try Self.stage("filter-bids")
        let r = try Harness.run(["plan", "job.json"], cwd: dir)
        #expect(r.status == 0)
        #expect(r.stdout.contains("↳ chained big [filter]"))
        #expect(r.stdout.contains("↳ chained out [sink:file]"))
    }

    @Test func stdoutSinkPrintsRecords() throws {
        let dir = try Self.stage("filter-bids")
        let job = #"""
            { "name": "peek", "sources": [{ "id": "bids", "type": "generator", "seed": 7, "count": 5 }],
              "sinks": [{ "id": "show", "type": "stdout", "inputs": ["bids"], "format": "csv", "fields": ["auction", "price"] }] }
            """#
        try Harness.write(job, to: dir.appendingPathComponent("peek.json"))
        let r = try Harness.run(["peek.json"], cwd: dir)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.split(separator: ",").count == 2 })
    }
}
