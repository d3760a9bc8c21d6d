import Foundation
import Testing

import StreamrunCore

@Suite struct EventTimeTests {
    @Test func boundsOrderAndDescribe() {
        let t = EventTime(milliseconds: 1_704_067_200_000)
        #expect(Watermark.min < t && t < Watermark.max)
        #expect(EventTime.min.milliseconds == .min && EventTime.max.milliseconds == .max)
        #expect(Watermark.describe(.min) == "-inf")
        #expect(Watermark.describe(.max) == "+inf")
        #expect(t.description == "2024-01-01T00:00:00.000Z")
        #expect([EventTime(milliseconds: 3), 1, 2].sorted() == [1, 2, 3])
    }

    @Test func addingSaturatesAtTheBounds() {
        #expect(EventTime(milliseconds: 10).adding(5) == 15)
        #expect(EventTime(milliseconds: 10).adding(-15) == -5)
        #expect(EventTime.max.adding(1) == .max)
        #expect(EventTime.min.adding(-1) == .min)
        #expect(EventTime(milliseconds: .max - 1).adding(.max) == .max)
    }

    /// The checkpoint manifest and the status JSON hold watermarks as bare numbers.
    @Test func codesAsTheBareNumber() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let map: [String: Watermark] = ["a": 1_700_000_000_000, "b": .min]
        let json = String(decoding: try encoder.encode(map), as: UTF8.self)
        #expect(json == #"{"a":1700000000000,"b":-9223372036854775808}"#)
        #expect(try JSONDecoder().decode([String: Watermark].self, from: Data(json.utf8)) == map)
    }
}
