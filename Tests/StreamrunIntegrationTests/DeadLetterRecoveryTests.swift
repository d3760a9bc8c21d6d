import Foundation
import Testing

/// Issue 12 under kill -9: the dead-letter corpus read by a checkpointed, rate-limited job that is
/// SIGKILLed at seeded moments and rerun until it finishes. The main output and the dead letters are
/// each exactly once, and every sink subtask's committed stream, the dead-letter sink's included, is
/// byte-identical to an uninterrupted run's (as in ``RecoveryGoldenTests``). The seed is printed.
@Suite struct DeadLetterRecoveryTests {
    static let job = DeadLetterTests.job(options: DeadLetterTests.options + #" "maxRecordsPerSecond": 8000,"#,
                                         checkpoints: #"{ "dir": "state", "interval": "150ms", "retain": 2 }"#)

    @Test func killedAndResumedRunsDeadLetterEveryBadRecordExactlyOnce() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("DeadLetterRecoveryTests seed", seed)
        let (a, corpus) = try DeadLetterTests.jsonlCorpus("dead-letter-golden-a", seed: seed)
        try Harness.write(Self.job, to: a.appendingPathComponent("job.json"))
        let ra = try Harness.run(["job.json"], cwd: a)
        #expect(ra.status == 0, "seed \(seed): \(ra.stderr)")
        corpus.expectOutput(a.appendingPathComponent("out"), seed: seed)
        corpus.expectDeadLetters(a.appendingPathComponent("dlq"), file: "bids.jsonl", seed: seed)
        corpus.expectSummary(ra.stderr, deadLettered: true, seed: seed)
        let expectedOut = RecoveryGoldenTests.streams(a.appendingPathComponent("out"))
        let expectedDead = RecoveryGoldenTests.streams(a.appendingPathComponent("dlq"))
        #expect(expectedDead.count == 2, "seed \(seed): both subtasks dead-letter records: \(expectedDead.keys)")

        let b = try Harness.tempDir("dead-letter-golden-b")
        try FileManager.default.copyItem(at: a.appendingPathComponent("bids.jsonl"), to: b.appendingPathComponent("bids.jsonl"))
        try Harness.write(Self.job, to: b.appendingPathComponent("job.json"))
        var rng = TestRandom(seed: seed ^ 0x6B69_6C6C)
        let (kills, notes) = try RecoveryGoldenTests.killAtSeededCheckpoints(b, rng: &rng)
        let rb = try Harness.run(["job.json"], cwd: b)
        #expect(rb.status == 0, "seed \(seed): \(rb.stderr)")
        #expect(kills > 0, "seed \(seed): the job finished before any kill: \(notes)")
        corpus.expectOutput(b.appendingPathComponent("out"), seed: seed)
        corpus.expectDeadLetters(b.appendingPathComponent("dlq"), file: "bids.jsonl", seed: seed)
        for (sink, expected) in [("out", expectedOut), ("dlq", expectedDead)] {
            let got = RecoveryGoldenTests.streams(b.appendingPathComponent(sink))
            #expect(got.keys.sorted() == expected.keys.sorted(), "seed \(seed): \(sink)")
            for (k, v) in expected {
                let same = got[k] == v
                #expect(same, "seed \(seed): \(sink) stream \(k) differs (\(got[k]?.count ?? 0) vs \(v.count) bytes)")
            }
        }
    }
}
