import Foundation
import StreamrunCore
import Testing

/// The fuzzing that found issue 11's items 9–11 (crashes and unbounded memory on jobs that pass
/// `validate`), kept as a seeded test: a few hundred mutants of the example jobs (``JobMutator``) go
/// through `streamrun validate`, and the first few that validate through a bounded `run`.
///
/// `validate` must exit with 0 or 2 by itself, never by a signal; every exit-2 message names a JSON
/// path, with no stack trace and no line longer than a screen. A run must end by itself (no signal,
/// no hang) within a memory bound. The seed is printed; `STREAMRUN_FUZZ_SEED=<n>` replays one.
@Suite struct JobFuzzTests {
    static let mutants = 300
    static let runs = 8
    static let validateTimeout = 20.0
    static let runTimeout = 40.0
    static let maxResidentBytes = 1 << 30
    static let maxLineLength = 400

    struct Example {
        var name: String
        var dir: URL
        var job: FuzzJSON
    }

    static func examples() throws -> [Example] {
        let root = Harness.packageRoot.appendingPathComponent("examples")
        return try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().compactMap { name in
            let dir = root.appendingPathComponent(name)
            let file = dir.appendingPathComponent("job.json")
            guard FileManager.default.fileExists(atPath: file.path) else { return nil }
            guard let job = FuzzJSON.parse(try String(contentsOf: file, encoding: .utf8)) else {
                Issue.record("cannot parse \(file.path)")
                return nil
            }
            return Example(name: name, dir: dir, job: job)
        }
    }

    @Test func mutatedExampleJobsValidateOrFailWithAPath() throws {
        let seed = ProcessInfo.processInfo.environment["STREAMRUN_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x11_5EED
        print("JobFuzzTests: seed \(seed) (replay with STREAMRUN_FUZZ_SEED=\(seed))")
        let examples = try Self.examples()
        try #require(!examples.isEmpty)
        var mutator = JobMutator(seed: seed)
        let work = try Harness.tempDir("fuzz")
        defer { try? FileManager.default.removeItem(at: work) }
        var ran = 0, valid = 0
        for k in 0..<Self.mutants {
            let example = examples[mutator.pick(examples.count)]
            var job = example.job
            let changes = (0...mutator.pick(3)).map { _ in mutator.mutate(&job) }
            let label = "mutant \(k) of \(example.name) (seed \(seed)): \(changes.joined(separator: "; "))"
            let dir = work.appendingPathComponent("m\(k)")
            try Harness.write(job.text, to: dir.appendingPathComponent("job.json"))
            let v = try BoundedRun.run(["validate", "job.json"], cwd: dir, timeout: Self.validateTimeout,
                                       maxResidentBytes: Self.maxResidentBytes)
            if Self.check(v, "validate " + label, allowed: [0, 2]) && v.status == 0 {
                valid += 1
                if ran < Self.runs {
                    ran += 1
                    try runBounded(job, example, dir, label)
                }
            }
            try? FileManager.default.removeItem(at: dir)
        }
        print("JobFuzzTests: \(Self.mutants) mutants, \(valid) valid, \(ran) run")
    }

    /// Runs a mutant that validated, with its generators capped at 2000 events, its rate limits lifted,
    /// its parallelism capped at 4 (a 2-core machine runs parallelism 1024 correctly, but for minutes),
    /// and every path pointed inside its own directory (a mutant must not read or write elsewhere).
    func runBounded(_ mutant: FuzzJSON, _ example: Example, _ dir: URL, _ label: String) throws {
        var job = mutant
        let data = example.dir.appendingPathComponent("data")
        var input = "data/missing.jsonl"
        if let first = try? FileManager.default.contentsOfDirectory(atPath: data.path).sorted().first {
            try FileManager.default.copyItem(at: data, to: dir.appendingPathComponent("data"))
            input = "data/" + first
        }
        Self.bound(&job, input: input)
        try Harness.write(job.text, to: dir.appendingPathComponent("job.json"))
        let o = try BoundedRun.run(["run", "job.json"], cwd: dir, timeout: Self.runTimeout, maxResidentBytes: Self.maxResidentBytes)
        _ = Self.check(o, "run " + label, allowed: [0, 1, 2])
    }

    static func bound(_ job: inout FuzzJSON, input: String) {
        capParallelism(&job)
        guard case .object(var top) = job else { return }
        for (k, member) in top.enumerated() {
            switch member.key {
            case "sources", "sinks":
                guard case .array(var nodes) = member.value else { continue }
                for (i, node) in nodes.enumerated() {
                    guard case .object(var keys) = node else { continue }
                    let type = node["type"]
                    for (j, key) in keys.enumerated() {
                        switch key.key {
                        case "count": keys[j].value = .number(String(min(Int64(key.value.numberText ?? "") ?? 2000, 2000)))
                        case "maxRecordsPerSecond": keys[j].value = .number("1000000")
                        case "path": keys[j].value = .string(member.key == "sources" ? input : "out/\(i)")
                        default: break
                        }
                    }
                    if member.key == "sources", type == .string("generator"), node["count"] == nil {
                        keys.append(.init(key: "count", value: .number("2000")))
                    }
                    nodes[i] = .object(keys)
                }
                top[k].value = .array(nodes)
            case "checkpoints":
                guard case .object(var keys) = member.value else { continue }
                for (j, key) in keys.enumerated() where key.key == "dir" { keys[j].value = .string("state") }
                top[k].value = .object(keys)
            default:
                break
            }
        }
        job = .object(top)
    }

    /// Every `parallelism` in the job, at most 4.
    static func capParallelism(_ job: inout FuzzJSON) {
        for p in job.paths {
            guard case .object(var m) = job[p] else { continue }
            for (k, member) in m.enumerated() where member.key == "parallelism" {
                if let n = member.value.numberText.flatMap({ Int64($0) }), n > 4 { m[k].value = .number("4") }
            }
            job[p] = .object(m)
        }
    }

    /// Ended by itself with an allowed status, no crash report, no overlong line, and on exit 2 one
    /// line per problem, each naming a JSON path. Records every failure; false when it did not end by itself.
    static func check(_ o: BoundedRun.Outcome, _ label: String, allowed: Set<Int32>) -> Bool {
        let err = String(o.stderr.prefix(3000))
        guard o.exitedNormally else {
            let why = o.timedOut ? "timed out" : o.overMemory ? "used more than \(maxResidentBytes >> 20) MB" : "signal \(o.signal ?? 0)"
            Issue.record("\(label): \(why)\n\(err)")
            return false
        }
        #expect(allowed.contains(o.status), "\(label): exit \(o.status)\n\(err)")
        for marker in ["Fatal error", "Stack dump", "stack trace", "Backtrace"] {
            #expect(!o.stderr.contains(marker), "\(label): crash report\n\(err)")
        }
        let lines = o.stderr.split(separator: "\n")
        let longest = lines.map(\.count).max() ?? 0
        #expect(longest <= maxLineLength, "\(label): a line of \(longest) characters")
        guard o.status == 2 else { return true }
        if lines.first?.hasPrefix("error: job.json: ") == true {
            for line in lines.dropFirst() where !namesAPath(line) {
                Issue.record("\(label): no JSON path in \"\(line.prefix(300))\"")
            }
        } else {
            Issue.record("\(label): exit 2 without a list of problems\n\(err)")
        }
        return true
    }

    /// `  sources[0].id: …`, `  name: …`, `  job.json:3:5: …`.
    static func namesAPath(_ line: Substring) -> Bool {
        guard line.hasPrefix("  "), let r = line.range(of: ": ") else { return false }
        let path = line[line.index(line.startIndex, offsetBy: 2)..<r.lowerBound]
        return !path.isEmpty && !path.contains(where: \.isWhitespace)
    }
}

extension FuzzJSON {
    var numberText: String? { if case .number(let n) = self { return n } else { return nil } }
}
