import Testing

@testable import StreamrunCore

@Suite struct DurationTests {
    @Test(arguments: [("250ms", 250), ("10s", 10_000), ("5m", 300_000), ("1h", 3_600_000), ("2d", 172_800_000), ("0", 0), ("0s", 0),
                       ("1m30s", 90_000), ("1h2m3s", 3_723_000), ("1s500ms", 1500), ("1d0h", 86_400_000)] as [(String, Int64)])
    func parses(_ text: String, _ ms: Int64) { #expect(Durations.parse(text) == ms) }

    @Test(arguments: ["ten", "10", "s", "-5s", "1.5s", "10 s", "10sec", "", "99999999999999999999d",
                       " 3s ", " 1s", "1s ", "10S", "1H", "01s", "00s", "1m01s", "30s1m", "1s1s", "1ms1s", "1m 30s", "9223372036854775s808ms"])
    func rejects(_ text: String) { #expect(Durations.parse(text) == nil) }

    @Test func formatsShortestExactUnit() {
        #expect(Durations.format(10_000) == "10s")
        #expect(Durations.format(1500) == "1500ms")
        #expect(Durations.format(3_600_000) == "1h")
    }
}

@Suite struct TimestampTests {
    @Test func civilRoundTripsAcrossEras() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = Timestamps.civil(days: days)
            #expect(Timestamps.days(year: y, month: m, day: d) == days)
        }
    }

    @Test func formatsAndParses() {
        #expect(Timestamps.date(1_704_067_200_000) == "2024-01-01")
        #expect(Timestamps.date(-1) == "1969-12-31")
        #expect(Timestamps.hour(-1) == 23)
        #expect(Timestamps.iso8601(1_704_067_200_123) == "2024-01-01T00:00:00.123Z")
        #expect(Timestamps.parse(Array("2024-01-01T00:00:00.123Z".utf8)) == 1_704_067_200_123)
        #expect(Timestamps.parse(Array("2024-01-01 01:00:00+01:00".utf8)) == 1_704_067_200_000)
        #expect(Timestamps.parse(Array("2024-01-01".utf8)) == 1_704_067_200_000)
        #expect(Timestamps.parse(Array("2024-13-01".utf8)) == nil)
        #expect(Timestamps.parse(Array("2024-01-01T".utf8)) == nil)
    }
}

@Suite struct BatchTests {
    let schema = Schema([Field("a", .int), Field("s", .string), Field("f", .float), Field("t", .timestamp)])

    @Test func rowsRoundTripThroughBuilderWithNulls() {
        let rows: [[Value]] = [
            [.int(1), .string("x"), .float(1.5), .timestamp(7)],
            [.null, .string(""), .null, .timestamp(-1)],
            [.int(-3), .null, .float(0), .null],
        ]
        let b = RecordBatch(schema: schema, rows: rows)
        #expect(b.count == 3)
        #expect(b.columns.allSatisfy { $0.count == 3 })
        #expect(b.rows(schema: schema) == rows)
        #expect(b.gather([2, 0]).rows(schema: schema) == [rows[2], rows[0]])
        #expect(b.filter([false, true, false]).rows(schema: schema) == [rows[1]])
    }

    @Test func builderDiscardsPartialRow() {
        var builder = BatchBuilder(schema: schema)
        builder.appendRow([.int(1), .string("keep"), .float(1), .timestamp(1)])
        builder.appendInt(0, 2)
        builder.appendString(1, "drop me")
        builder.discardPartialRow()
        let b = builder.finish()
        #expect(b.rows(schema: schema) == [[.int(1), .string("keep"), .float(1), .timestamp(1)]])
    }
}
