import StreamrunConnectors
import StreamrunCore
import Testing

@Suite struct OrderedJSONTests {
    static let value = OrderedJSON.object([
        ("z", .string("a\"b\\c\nd\u{01}é")), ("a", .array([.int(1), .float(2.5), .float(.nan), .null, .bool(true)])),
        ("o", .object([("t", OrderedJSON(Value.timestamp(1_704_067_200_000))), ("e", .object([]))])), ("l", .array([.array([])])),
    ])

    @Test func compactKeepsMemberOrderAndEscapes() {
        #expect(Self.value.compact == #"{"z":"a\"b\\c\nd\u0001é","a":[1,2.5,null,null,true],"o":{"t":1704067200000,"e":{}},"l":[[]]}"#)
    }

    @Test func prettyIndentsAndKeepsScalarArraysOnOneLine() {
        #expect(Self.value.pretty == """
            {
              "z": "a\\"b\\\\c\\nd\\u0001é",
              "a": [1, 2.5, null, null, true],
              "o": {
                "t": 1704067200000,
                "e": {}
              },
              "l": [
                []
              ]
            }
            """)
    }
}
