import StreamrunCore
import StreamrunPlan
import Testing

@testable import StreamrunConnectors

/// Issue 11, item 13: `event time field "dateTime" is null in a record` had no file:line. The
/// decoders now refuse a null, missing or empty event-time value as a bad record, so the error
/// carries its line; other fields stay null when missing.
@Suite struct FormatEventTimeTests {
    typealias T = FormatTesting

    static func jsonl(_ text: String) -> DecodeError? {
        var decoder = JSONLDecoder(schema: T.schema, eventTimeColumn: 4)
        return T.error { () throws(DecodeError) in try T.decode(&decoder, text) }
    }

    static func csv(_ text: String) -> DecodeError? {
        var decoder = CSVDecoder(schema: T.schema, eventTimeColumn: 4)
        return T.error { () throws(DecodeError) in try T.decode(&decoder, text) }
    }

    @Test func jsonlNullOrMissingEventTimeIsABadRecordWithItsLine() {
        let null = Self.jsonl("{\"t\":1}\n\n{\"i\":2,\"t\":null}\n")
        #expect(null?.message == #"event time field "t" is null"#)
        #expect(null?.located(file: "in.jsonl", linesBefore: 10).description == #"in.jsonl:13: event time field "t" is null"#)
        let missing = Self.jsonl("{\"t\":1}\n{\"i\":2}\n")
        #expect(missing?.message == #"event time field "t" is missing"#)
        #expect(missing?.line == 1)
    }

    @Test func jsonlOtherMissingFieldsAreNull() throws {
        var decoder = JSONLDecoder(schema: T.schema, eventTimeColumn: 4)
        let r = try T.decode(&decoder, "{\"t\":7}\n")
        #expect(r.rows == [[.null, .null, .null, .null, .timestamp(7)]])
    }

    @Test func csvEmptyEventTimeIsABadRecordWithItsLine() {
        let e = Self.csv("1,2,a,true,3\n1,2,a,true, \n")
        #expect(e?.message == #"event time field "t" is empty"#)
        #expect(e?.line == 1)
    }

    @Test func decodersForASourceKnowItsEventTime() {
        let spec = SourceSpec(id: "in", kind: .file, path: "in", format: .jsonl, schema: T.schema, eventTime: EventTimeSpec(field: "t"))
        var decoder = RecordDecoders.make(for: spec)
        let e = T.error { () throws(DecodeError) in try T.decode(&decoder, "{\"i\":1}\n") }
        #expect(e?.message == #"event time field "t" is missing"#)
    }
}
