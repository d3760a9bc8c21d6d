import StreamrunCore
import StreamrunPlan

/// One dead letter as a dead-letter sink writes it: a JSON object on one line of a JSONL part file,
///
/// `{"source":"bids","file":"/data/bids.jsonl","offset":1234,"line":17,"operator":null,`
/// `"error":{"field":"price","rule":"type","message":"…"},"raw":"{\"auction\":1,…}"}`
///
/// `raw` holds the record's bytes as a string when they are UTF-8, else `rawBase64` holds them in
/// standard base64; `rawLength` follows only when the record was cut at the source's
/// `maxRecordSize`. `file`, `offset`, `line`, `operator` and `error.field` may be null (or absent).
///
/// Decoding reads the line with the project's ``JSONParser`` (key order does not matter, unknown keys
/// are ignored, so a newer envelope still reads); a line that is no envelope is a ``Problem`` naming
/// what is wrong.
public enum DeadLetterEnvelope {
    /// Why a line is not a dead-letter envelope.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The dead letter on `line` (one JSONL line, without its terminator).
    public static func decode(_ line: [UInt8]) throws(Problem) -> DeadLetter {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw Problem("not JSON (column \(error.column): \(error.message))")
        }
        guard let o = value.object else { throw Problem("expected a JSON object, got \(value.brief)") }
        let source = try string(o, "source")
        guard let error = o["error"] else { throw Problem("missing \"error\"") }
        guard let e = error.object else { throw Problem("\"error\": expected an object, got \(error.brief)") }
        var letter = DeadLetter(source: source, rule: .init(try string(e, "rule", in: "error.")),
                                message: try string(e, "message", in: "error."), raw: try raw(o))
        letter.file = try optionalString(o, "file")
        letter.offset = try optionalInt(o, "offset")
        letter.line = try optionalInt(o, "line")
        letter.operatorID = try optionalString(o, "operator")
        letter.field = try optionalString(e, "field", in: "error.")
        letter.rawLength = try optionalInt(o, "rawLength")
        return letter
    }

    /// The record's bytes from `raw` or `rawBase64` (exactly one of them).
    private static func raw(_ o: JSONObject) throws(Problem) -> [UInt8] {
        switch (o["raw"], o["rawBase64"]) {
        case (let text?, nil):
            guard let s = text.string else { throw Problem("\"raw\": expected a string, got \(text.brief)") }
            return Array(s.utf8)
        case (nil, let encoded?):
            guard let s = encoded.string, let bytes = Base64.decode(s) else {
                throw Problem("\"rawBase64\": expected a base64 string, got \(encoded.brief)")
            }
            return bytes
        case (nil, nil):
            throw Problem("missing \"raw\" (or \"rawBase64\")")
        case (.some, .some):
            throw Problem("both \"raw\" and \"rawBase64\": an envelope holds one of them")
        }
    }

    private static func string(_ o: JSONObject, _ key: String, in parent: String = "") throws(Problem) -> String {
        guard let v = o[key] else { throw Problem("missing \"\(parent)\(key)\"") }
        guard let s = v.string else { throw Problem("\"\(parent)\(key)\": expected a string, got \(v.brief)") }
        return s
    }

    private static func optionalString(_ o: JSONObject, _ key: String, in parent: String = "") throws(Problem) -> String? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let s = v.string else { throw Problem("\"\(parent)\(key)\": expected a string or null, got \(v.brief)") }
        return s
    }

    private static func optionalInt(_ o: JSONObject, _ key: String) throws(Problem) -> Int64? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let n = v.number?.int, n >= 0 else { throw Problem("\"\(key)\": expected a whole number or null, got \(v.brief)") }
        return n
    }
}
