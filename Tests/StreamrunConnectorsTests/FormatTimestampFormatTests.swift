import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// A timestamp field's `format`: what each one accepts and refuses, in jsonl and csv.
@Suite struct FormatTimestampFormatTests {
    typealias C = ConstraintTesting

    /// Decodes each of `values` (jsonl literals, or csv texts) into `{"t": {"type": "timestamp", "format": format}}`:
    /// the epoch ms, or the rule broken.
    static func read(_ format: String, _ values: [String], as dataFormat: DataFormat) throws -> [Result<Int64?, RuleBroken>] {
        let decoder = try C.decoder(#"{"t": {"type": "timestamp", "format": "\#(format)"}}"#, format: dataFormat)
        return values.map { v in
            let line = dataFormat == .jsonl ? #"{"t": \#(v)}"# + "\n" : v + "\n"
            let r = C.decode(decoder, line)
            if let e = r.error { return .failure(RuleBroken(rule: e.rule, message: e.message)) }
            if case .timestamp(let ms) = r.rows.first?.first { return .success(ms) }
            return .success(nil)
        }
    }

    struct RuleBroken: Error, Equatable {
        var rule: DeadLetter.Rule
        var message: String
    }

    static func ms(_ iso: String) -> Int64 { Timestamps.parse(iso.utf8)! }

    @Test func epochMillisTakesIntegersOnly() throws {
        let json = try Self.read("epochMillis", ["1700000000123", "-1", #""1700000000123""#, "1.5", "1e3"], as: .jsonl)
        #expect(try json[0].get() == 1_700_000_000_123)
        #expect(try json[1].get() == -1)
        for r in json[2...] { #expect(throws: RuleBroken.self) { try r.get() } }
        #expect(json[2] == .failure(RuleBroken(rule: .format, message: #"field "t": "1700000000123" does not match the format epochMillis"#)))
        #expect(json[3] == .failure(RuleBroken(rule: .format, message: #"field "t": 1.5 does not match the format epochMillis"#)))
        let csv = try Self.read("epochMillis", ["+1700000000123", "2024-01-01"], as: .csv)
        #expect(try csv[0].get() == 1_700_000_000_123)
        #expect(csv[1] == .failure(RuleBroken(rule: .format, message: #"field "t": "2024-01-01" does not match the format epochMillis"#)))
    }

    @Test func epochSecondsAreStoredAsMillis() throws {
        let json = try Self.read("epochSeconds", ["1700000000", "-86400", "9223372036854776"], as: .jsonl)
        #expect(try json[0].get() == 1_700_000_000_000)
        #expect(try json[1].get() == -86_400_000)
        #expect(json[2] == .failure(RuleBroken(rule: .format, message: #"field "t": 9223372036854776 does not match the format epochSeconds"#)))
        let csv = try Self.read("epochSeconds", ["1700000000"], as: .csv)
        #expect(try csv[0].get() == 1_700_000_000_000)
    }

    @Test func iso8601TakesStringsOnly() throws {
        let json = try Self.read("iso8601", [#""2024-02-29T12:00:00Z""#, #""2024-01-01 10:00:00+02:00""#, "1700000000000", #""yesterday""#], as: .jsonl)
        #expect(try json[0].get() == Self.ms("2024-02-29T12:00:00Z"))
        #expect(try json[1].get() == Self.ms("2024-01-01T08:00:00Z"))
        #expect(json[2] == .failure(RuleBroken(rule: .format, message: #"field "t": 1700000000000 does not match the format iso8601"#)))
        #expect(json[3] == .failure(RuleBroken(rule: .format, message: #"field "t": "yesterday" does not match the format iso8601"#)))
        let csv = try Self.read("iso8601", ["2024-01-01", "1700000000000"], as: .csv)
        #expect(try csv[0].get() == Self.ms("2024-01-01"))
        #expect(throws: RuleBroken.self) { try csv[1].get() }
    }

    @Test func patternsReadUTCUnlessTheyHaveAnOffset() throws {
        let format = "%Y-%m-%d %H:%M:%S"
        let json = try Self.read(format, [#""2024-03-01 13:14:15""#, #""2024-3-01 13:14:15""#, #""2024-03-01 13:14:15Z""#, "0"], as: .jsonl)
        #expect(try json[0].get() == Self.ms("2024-03-01T13:14:15Z"))
        #expect(json[1] == .failure(RuleBroken(rule: .format, message: #"field "t": "2024-3-01 13:14:15" does not match the format "%Y-%m-%d %H:%M:%S""#)))
        #expect(throws: RuleBroken.self) { try json[2].get() }
        #expect(json[3] == .failure(RuleBroken(rule: .format, message: #"field "t": 0 does not match the format "%Y-%m-%d %H:%M:%S""#)))
        let csv = try Self.read(format, ["2024-03-01 13:14:15", "2024-03-01 24:00:00"], as: .csv)
        #expect(try csv[0].get() == Self.ms("2024-03-01T13:14:15Z"))
        #expect(throws: RuleBroken.self) { try csv[1].get() }
    }

    @Test func offsets() throws {
        let values = ["2024-01-01T10:00:00+0200", "2024-01-01T10:00:00-05:30", "2024-01-01T10:00:00Z", "2024-01-01T10:00:00+02",
                      "2024-01-01T10:00:00", "2024-01-01T10:00:00+2", "2024-01-01T10:00:00+02:60"]
        let csv = try Self.read("%Y-%m-%dT%H:%M:%S%z", values, as: .csv)
        #expect(try csv[0].get() == Self.ms("2024-01-01T08:00:00Z"))
        #expect(try csv[1].get() == Self.ms("2024-01-01T15:30:00Z"))
        #expect(try csv[2].get() == Self.ms("2024-01-01T10:00:00Z"))
        #expect(try csv[3].get() == Self.ms("2024-01-01T08:00:00Z"))
        for r in csv[4...] { #expect(throws: RuleBroken.self) { try r.get() } }
        let json = try Self.read("%Y-%m-%dT%H:%M:%S%z", [#""2024-01-01T00:30:00+01:00""#], as: .jsonl)
        #expect(try json[0].get() == Self.ms("2023-12-31T23:30:00Z"))
    }

    @Test func leapYears() throws {
        let values = ["29/02/2024", "29/02/2000", "29/02/2023", "29/02/1900", "31/04/2024", "30/04/2024", "00/01/2024", "31/12/1969"]
        let csv = try Self.read("%d/%m/%Y", values, as: .csv)
        #expect(try csv[0].get() == Self.ms("2024-02-29"))
        #expect(try csv[1].get() == Self.ms("2000-02-29"))
        for k in [2, 3, 4, 6] { #expect(throws: RuleBroken.self, "\(values[k])") { try csv[k].get() } }
        #expect(try csv[5].get() == Self.ms("2024-04-30"))
        #expect(try csv[7].get() == -86_400_000)
    }

    @Test func literalsAndPercent() throws {
        let csv = try Self.read("at %H.%M on %Y%m%d (100%%)", ["at 07.05 on 20240102 (100%)", "at 07.05 on 20240102 (100)"], as: .csv)
        #expect(try csv[0].get() == Self.ms("2024-01-02T07:05:00Z"))
        #expect(throws: RuleBroken.self) { try csv[1].get() }
    }

    @Test func withoutAFormatTimestampsReadAsBefore() throws {
        let decoder = try C.decoder(#"{"t": {"type": "timestamp", "min": 0}}"#, format: .jsonl)
        let r = C.decode(decoder, "{\"t\": 5}\n{\"t\": \"1970-01-01T00:00:01Z\"}\n{\"t\": true}\n")
        #expect(r.rows == [[.timestamp(5)], [.timestamp(1000)]])
        #expect(r.error?.rule == .type)
        #expect(r.error?.message == #"field "t": expected timestamp (epoch ms or ISO-8601 string), got true"#)
    }

    @Test func boundsApplyAfterTheFormat() throws {
        let decoder = try C.decoder(#"{"t": {"type": "timestamp", "format": "epochSeconds", "min": "2020-01-01"}}"#, format: .csv)
        #expect(C.decode(decoder, "1577836800\n").rows == [[.timestamp(1_577_836_800_000)]])
        #expect(C.decode(decoder, "1577836799\n").error?.message
            == #"field "t": 2019-12-31T23:59:59.000Z is before the minimum "2020-01-01""#)
    }
}
