import StreamrunCore
import StreamrunPlan

/// The problems a broken constraint gives: `field "price": -5 is less than the minimum 0`. Built
/// only for a bad record, off the decoders' paths.
extension FieldChecks {
    /// `field "bidder" is required`: a jsonl record without the key.
    @inline(never)
    func missing(_ column: Int) -> RecordProblem {
        .value("field \"\(cold.names[column])\" is required", column: column, rule: .required)
    }

    /// `field "bidder" must not be null`.
    @inline(never)
    func null(_ column: Int, at position: Int?) -> RecordProblem {
        .value("field \"\(cold.names[column])\" must not be null", at: position, column: column, rule: .required)
    }

    /// `field "bidder" must not be empty`: an empty csv field where null is not allowed.
    @inline(never)
    func empty(_ column: Int) -> RecordProblem {
        .value("field \"\(cold.names[column])\" must not be empty", column: column, rule: .required)
    }

    /// `field "t": "2024-13-01" does not match the format "%Y-%m-%d"`; `shown` is the value as written.
    @inline(never)
    func badFormat(_ column: Int, _ shown: String, at position: Int?) -> RecordProblem {
        let format = format(column).map(\.description) ?? "?"
        return .value("field \"\(cold.names[column])\": \(shown) does not match the format \(format)", at: position, column: column, rule: .format)
    }

    func below(_ column: Int, _ shown: String, at position: Int?, time: Bool = false) -> RecordProblem {
        let bound = cold.constraints[column]?.min?.text ?? "?"
        let words = time ? "is before the minimum" : "is less than the minimum"
        return .value("field \"\(cold.names[column])\": \(shown) \(words) \(bound)", at: position, column: column, rule: .min)
    }

    func above(_ column: Int, _ shown: String, at position: Int?, time: Bool = false) -> RecordProblem {
        let bound = cold.constraints[column]?.max?.text ?? "?"
        let words = time ? "is after the maximum" : "is greater than the maximum"
        return .value("field \"\(cold.names[column])\": \(shown) \(words) \(bound)", at: position, column: column, rule: .max)
    }

    /// NaN, which no bound admits: rule `min` when there is a minimum, else `max`.
    func notComparable(_ column: Int, at position: Int?) -> RecordProblem {
        if let min = cold.constraints[column]?.min {
            return .value("field \"\(cold.names[column])\": NaN cannot be compared with the minimum \(min.text)", at: position, column: column, rule: .min)
        }
        let max = cold.constraints[column]?.max?.text ?? "?"
        return .value("field \"\(cold.names[column])\": NaN cannot be compared with the maximum \(max)", at: position, column: column, rule: .max)
    }

    func notAllowed(_ column: Int, _ shown: String, at position: Int?) -> RecordProblem {
        .value("field \"\(cold.names[column])\": \(shown) is not one of \(cold.allowedText[column])", at: position, column: column, rule: .enum)
    }

    func tooShort(_ column: Int, _ b: UnsafeBufferPointer<UInt8>, _ n: Int, at position: Int?) -> RecordProblem {
        .value("field \"\(cold.names[column])\": \(quoted(b)) has \(Self.characters(n)), fewer than the minimum length \(minLength[column])",
               at: position, column: column, rule: .minLength)
    }

    func tooLong(_ column: Int, _ b: UnsafeBufferPointer<UInt8>, _ n: Int, at position: Int?) -> RecordProblem {
        .value("field \"\(cold.names[column])\": \(quoted(b)) has \(Self.characters(n)), more than the maximum length \(maxLength[column])",
               at: position, column: column, rule: .maxLength)
    }

    /// `"abc"`, cut to 40 bytes.
    func quoted(_ b: UnsafeBufferPointer<UInt8>) -> String { "\"" + Snippet.text(b) + "\"" }

    static func characters(_ n: Int) -> String { n == 1 ? "1 character" : "\(n) characters" }

    /// An allowed value as messages list it: strings quoted, timestamps in ISO-8601.
    static func show(_ v: Value) -> String {
        switch v {
        case .string(let s): return "\"" + (s.utf8.count > 40 ? String(s.prefix(40)) + "…" : s) + "\""
        case .timestamp(let t): return Timestamps.iso8601(t)
        default: return v.description
        }
    }
}
