import Foundation
import Testing

/// What a run over a ``DeadLetterCorpus`` must have written: the main output, the dead letters and
/// the counts of the run summary.
extension DeadLetterCorpus {
    /// The main sink's committed lines are exactly the corpus's good records (as a multiset).
    func expectOutput(_ dir: URL, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        Self.expectSameLines(Harness.sortedLines(dir), output, "main output", seed: seed, sourceLocation: sourceLocation)
    }

    /// The dead-letter sink's committed lines are exactly the corpus's bad records, each once, keyed
    /// by (file, offset), each with its line, rule, field and raw bytes.
    func expectDeadLetters(_ dir: URL, file: String, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        var letters: [Int: DeadLetterLine] = [:]
        for line in Harness.sortedLines(dir) {
            guard let o = DeadLetterLine(line) else {
                Issue.record("seed \(seed): not a dead letter: \(line.prefix(300))", sourceLocation: sourceLocation)
                continue
            }
            let prefix = #"{"source":"bids","file":"\#(file)","offset":\#(o.offset),"line":\#(o.line),"operator":null,"error":{"field":"#
            #expect(line.hasPrefix(prefix), "seed \(seed): \(line.prefix(300))", sourceLocation: sourceLocation)
            #expect(letters[o.offset] == nil, "seed \(seed): offset \(o.offset) dead-lettered twice", sourceLocation: sourceLocation)
            letters[o.offset] = o
        }
        let expected = Dictionary(uniqueKeysWithValues: bad.map { ($0.offset, $0) })
        let missing = Set(expected.keys).subtracting(letters.keys).sorted()
        let unexpected = Set(letters.keys).subtracting(expected.keys).sorted()
        #expect(missing.isEmpty, "seed \(seed): \(missing.count) bad records not dead-lettered: \(missing.prefix(5).map { expected[$0]! })",
                sourceLocation: sourceLocation)
        #expect(unexpected.isEmpty, "seed \(seed): \(unexpected.count) dead letters for no bad record: \(unexpected.prefix(5).map { letters[$0]! })",
                sourceLocation: sourceLocation)
        for (offset, b) in expected.sorted(by: { $0.key < $1.key }) {
            guard let o = letters[offset] else { continue }
            var problems: [String] = []
            if o.source != "bids" || o.file != file || o.operator != nil { problems.append("source \(o.source), file \(o.file ?? "null"), operator \(o.operator ?? "null")") }
            if o.line != b.line { problems.append("line \(o.line) instead of \(b.line)") }
            if o.error.rule != b.rule { problems.append("rule \(o.error.rule) instead of \(b.rule)") }
            if b.checkField && o.error.field != b.field { problems.append("field \(o.error.field ?? "null") instead of \(b.field ?? "null")") }
            if o.error.message.isEmpty { problems.append("no message") }
            let utf8 = String(validating: b.raw, as: UTF8.self) != nil
            let raw: [UInt8]? = utf8 ? o.raw.map { Array($0.utf8) } : o.rawBase64.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            if raw != b.raw {
                let got = raw.map { String(decoding: $0.prefix(120), as: UTF8.self) } ?? "missing"
                let want = String(decoding: b.raw.prefix(120), as: UTF8.self)
                problems.append("\(utf8 ? "raw" : "rawBase64") \(got) instead of \(want) (\(raw?.count ?? 0) vs \(b.raw.count) bytes)")
            }
            if (o.raw != nil) == (o.rawBase64 != nil) { problems.append("both or neither of raw and rawBase64") }
            if o.rawLength != b.rawLength { problems.append("rawLength \(o.rawLength.map(String.init) ?? "none") instead of \(b.rawLength.map(String.init) ?? "none")") }
            #expect(problems.isEmpty, "seed \(seed): the dead letter at offset \(offset) (line \(b.line), \(b.rule)): \(problems)",
                    sourceLocation: sourceLocation)
        }
    }

    /// The run summary's line for the source says what the corpus holds: read = emitted + bad, by rule.
    func expectSummary(_ stderr: String, deadLettered: Bool, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        let summary = SourceSummary(stderr)
        let want = SourceSummary(read: records, emitted: output.count, deadLettered: deadLettered ? bad.count : 0,
                                 skipped: deadLettered ? 0 : bad.count, rules: rules)
        #expect(summary == want, "seed \(seed): \(stderr)", sourceLocation: sourceLocation)
        if let s = summary {
            #expect(s.read == s.emitted + s.deadLettered + s.skipped && s.rules.values.reduce(0, +) == s.deadLettered + s.skipped,
                    "\(stderr)", sourceLocation: sourceLocation)
        }
    }

    /// `got` and `want` hold the same lines as many times each; says which differ.
    static func expectSameLines(_ got: [String], _ want: [String], _ what: String, seed: UInt64,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        var count: [String: Int] = [:]
        for l in got { count[l, default: 0] += 1 }
        for l in want { count[l, default: 0] -= 1 }
        let extra = count.filter { $0.value > 0 }, missing = count.filter { $0.value < 0 }
        let tooMany = "\(extra.values.reduce(0, +)) too many, e.g. \(extra.keys.prefix(3).map { $0.prefix(200) })"
        let absent = "\(-missing.values.reduce(0, +)) missing, e.g. \(missing.keys.prefix(3).map { $0.prefix(200) })"
        #expect(extra.isEmpty && missing.isEmpty, "seed \(seed): \(what): \(got.count) lines instead of \(want.count); \(tooMany); \(absent)",
                sourceLocation: sourceLocation)
    }
}

/// A source's line of the run summary:
/// `source bids (file): 9 records read: 4 emitted, 5 dead-lettered (eventTime 1, syntax 3, type 1)`.
struct SourceSummary: Equatable {
    var read = 0, emitted = 0, deadLettered = 0, skipped = 0
    var rules: [String: Int] = [:]

    init(read: Int, emitted: Int, deadLettered: Int, skipped: Int, rules: [String: Int]) {
        (self.read, self.emitted, self.deadLettered, self.skipped, self.rules) = (read, emitted, deadLettered, skipped, rules)
    }

    /// The line of source `id` in `stderr`; nil when there is none or it does not read like that.
    init?(_ stderr: String, id: String = "bids") {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("  source \(id) (file): ") }),
              let read = line.range(of: " records read: "), let open = line.lastIndex(of: "("), line.hasSuffix(")") else { return nil }
        guard let n = Int(line[line.index(line.startIndex, offsetBy: "  source \(id) (file): ".count)..<read.lowerBound]) else { return nil }
        self.read = n
        for part in line[read.upperBound..<open].split(separator: ",") {
            let words = part.split(separator: " ")
            guard words.count == 2, let k = Int(words[0]) else { return nil }
            switch words[1] {
            case "emitted": emitted = k
            case "dead-lettered": deadLettered = k
            case "skipped": skipped = k
            default: return nil
            }
        }
        for part in line[line.index(after: open)..<line.index(before: line.endIndex)].split(separator: ",") {
            let words = part.split(separator: " ")
            guard words.count == 2, let k = Int(words[1]) else { return nil }
            rules[String(words[0])] = k
        }
    }
}

/// One line of a dead-letter file. Read with JSONDecoder: JSONSerialization drops a U+FEFF inside a
/// string (swift-corelibs-foundation), and a dead letter's raw bytes may hold one.
struct DeadLetterLine: Decodable, CustomStringConvertible {
    struct Problem: Decodable {
        var field: String?
        var rule: String
        var message: String
    }

    var source: String
    var file: String?
    var offset: Int
    var line: Int
    var `operator`: String?
    var error: Problem
    var raw: String?
    var rawBase64: String?
    var rawLength: Int?

    init?(_ text: some StringProtocol) {
        guard let l = try? JSONDecoder().decode(Self.self, from: Data(text.utf8)) else { return nil }
        self = l
    }

    var description: String { "\(file ?? "?"):\(line) @\(offset) \(error.rule): \(error.message)" }
}
