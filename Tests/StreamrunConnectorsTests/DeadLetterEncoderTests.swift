import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// The dead-letter envelope (issue 12) and `maxErrorRate`'s window.
@Suite struct DeadLetterEncoderTests {
    static func encode(_ letters: [DeadLetter]) -> String {
        var out: [UInt8] = []
        let columns = EncoderColumns(schema: DeadLetter.schema)
        let encoder = RecordEncoders.make(.jsonl, columns: columns)
        #expect(encoder is DeadLetterEncoder)
        encoder.encode(DeadLetter.batch(letters), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func envelopeMembersComeInOrderWithTheErrorNested() {
        let letter = DeadLetter(source: "bids", file: "/d/bids.jsonl", offset: 54, line: 2, field: "bidder", rule: .type,
                                message: #"field "bidder": expected int, got "x""#, raw: Array(#"{"bidder":"x"}"#.utf8))
        #expect(Self.encode([letter]) == #"{"source":"bids","file":"/d/bids.jsonl","offset":54,"line":2,"operator":null,"error":{"field":"bidder","rule":"type","message":"field \"bidder\": expected int, got \"x\""},"raw":"{\"bidder\":\"x\"}"}"# + "\n")
    }

    @Test func bytesThatAreNotUTF8GoBase64AndACutRecordHasItsLength() {
        let letter = DeadLetter(source: "s", rule: .recordSize, message: "too long", raw: [0x61, 0xFF, 0x62], rawLength: 5_000_000_000)
        let line = Self.encode([letter])
        #expect(line == #"{"source":"s","file":null,"offset":null,"line":null,"operator":null,"error":{"field":null,"rule":"recordSize","message":"too long"},"rawBase64":"Yf9i","rawLength":5000000000}"# + "\n")
        #expect(Base64.decode("Yf9i") == [0x61, 0xFF, 0x62])
    }

    @Test func base64RoundTripsEveryLength() {
        var rng = SplitMix64(seed: 7)
        for n in 0..<40 {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes, "\(n) bytes")
        }
        #expect(Base64.encode(Array("Man".utf8)) == "TWFu")
        #expect(Base64.encode(Array("Ma".utf8)) == "TWE=")
        #expect(Base64.encode(Array("M".utf8)) == "TQ==")
        #expect(Base64.decode("not base64!") == nil)
    }

    @Test func aSinkWritingOtherColumnsIsNotAnEnvelope() {
        let columns = EncoderColumns(schema: DeadLetter.schema, fields: ["source", "raw"])
        #expect(!(RecordEncoders.make(.jsonl, columns: columns) is DeadLetterEncoder))
        #expect(!(RecordEncoders.make(.csv, columns: EncoderColumns(schema: DeadLetter.schema)) is DeadLetterEncoder))
    }

    @Test func errorRateTripsWhenTheWindowHoldsMoreThanAllowed() {
        // 1 % of 200: two bad records among the last 200 are allowed, a third is not.
        var w = ErrorRateWindow(limit: ErrorRate(rate: 0.01, window: 200))
        let ok1 = w.bad()
        #expect(ok1)
        w.good(100)
        let ok2 = w.bad()
        #expect(ok2)
        w.good(97)
        let ok3 = w.bad()
        #expect(!ok3, "three bad records among the last 200")
        var slow = ErrorRateWindow(limit: ErrorRate(rate: 0.01, window: 200))
        for _ in 0..<50 {
            let ok4 = slow.bad()
        #expect(ok4)
            slow.good(99)  // one bad record in every 100: two per window at most
        }
        var none = ErrorRateWindow(limit: ErrorRate(rate: 0, window: 10))
        let ok5 = none.bad()
        #expect(!ok5)
    }
}
