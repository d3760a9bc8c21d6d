import Foundation
import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Dead-letter files read back: what ``DeadLetterEncoder`` writes decodes to the same dead letters,
/// a line that is not an envelope is named by file and line, and a queue directory lists its
/// committed part files only.
@Suite struct DeadLetterReaderTests {
    static let letters = [
        DeadLetter(source: "bids", file: "/data/bids.jsonl", offset: 1234, line: 17, field: "price", rule: .type,
                   message: "field \"price\": expected int, got \"x\"", raw: Array(#"{"auction":1,"price":"x","note":"é\t"}"#.utf8)),
        DeadLetter(source: "bids", file: nil, offset: nil, line: nil, operatorID: "w", rule: .expression, message: "division by zero",
                   raw: Array("a,b\r\nc".utf8)),
        DeadLetter(source: "asks", file: "/data/asks.csv", offset: 0, line: 1, rule: .utf8, message: "not UTF-8", raw: [0xff, 0xfe, 0x41]),
        DeadLetter(source: "asks", file: "/data/asks.csv", offset: 9, line: 2, rule: .recordSize, message: "too long",
                   raw: Array("xxxx".utf8), rawLength: 5_000_000),
    ]

    @Test func whatTheEncoderWritesDecodesToTheSameDeadLetters() throws {
        var bytes: [UInt8] = []
        DeadLetterEncoder().encode(DeadLetter.batch(Self.letters), into: &bytes)
        let file = DeadLetterFile(path: "q/part-dlq-00000-000000.jsonl", bytes: bytes)
        var read: [(Int, DeadLetter)] = []
        try file.forEach { line, letter in read.append((line, letter)) }
        #expect(read.map(\.0) == [1, 2, 3, 4])
        #expect(read.map(\.1) == Self.letters)
    }

    @Test func aLineThatIsNoEnvelopeIsNamedByFileAndLine() {
        let cases: [(String, String)] = [
            (#"{"auction":1,"price":2}"#, #"missing "source""#),
            (#"{"source":"bids","error":{"rule":"type","message":"m"}}"#, #"missing "raw" (or "rawBase64")"#),
            (#"{"source":"bids","error":{"rule":"type"},"raw":""}"#, #"missing "error.message""#),
            (#"{"source":"bids","error":{"rule":"type","message":"m"},"raw":"x","rawBase64":"eA=="}"#, "both"),
            (#"{"source":"bids","error":{"rule":"type","message":"m"},"raw":"x","line":"7"}"#, #""line": expected a whole number"#),
            (#"{"source":"bids","#, "not JSON"),
            ("[1]", "expected a JSON object"),
        ]
        for (line, expected) in cases {
            let good = #"{"source":"s","error":{"rule":"r","message":"m"},"raw":"x"}"#
            let file = DeadLetterFile(path: "q/f.jsonl", bytes: Array("\(good)\n\n\(line)\n".utf8))
            var seen = 0
            do {
                try file.forEach { _, _ in seen += 1 }
                Issue.record("accepted \(line)")
            } catch {
                #expect(error.location == "q/f.jsonl:3", "\(line)")
                #expect(error.message.hasPrefix("not a dead-letter envelope: ") && error.message.contains(expected), "\(error.message)")
                #expect(seen == 1)
            }
        }
    }

    @Test func aQueueDirectoryListsItsCommittedPartFilesInPathOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dlq-list-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let files = ["dt=b/part-dlq-00000-000000.jsonl", "dt=a/part-dlq-00001-000003.jsonl", "part-dlq-replay-0123456789abcdef-00000-000000.jsonl",
                     ".part-dlq-00000-000001.jsonl.inprogress", "dt=a/.part-dlq-00001-000004.jsonl.inprogress", "_tmp/part-dlq-00000-000000.jsonl",
                     ".hidden/part-dlq-00000-000000.jsonl", "notes.txt", "part-dlq-00000-000000.csv"]
        for f in files {
            let url = dir.appendingPathComponent(f)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
        #expect(try DeadLetterFile.list(dir.path) == [
            dir.path + "/dt=a/part-dlq-00001-000003.jsonl", dir.path + "/dt=b/part-dlq-00000-000000.jsonl",
            dir.path + "/part-dlq-replay-0123456789abcdef-00000-000000.jsonl",
        ])
        #expect(try DeadLetterFile.list(dir.path + "/notes.txt") == [dir.path + "/notes.txt"], "a file named is read, whatever its name")
        #expect(throws: StreamrunError.self) { try DeadLetterFile.list(dir.path + "/missing") }
    }
}
