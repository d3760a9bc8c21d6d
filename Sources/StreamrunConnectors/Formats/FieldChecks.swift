import StreamrunCore
import StreamrunPlan

/// Bits of ``FieldTable/flags``: what a column checks beyond its type. A column without
/// constraints has no bit set, and a decoder tests its byte once per value.
enum FieldFlags {
    /// A present, non-null value has rules to check: bounds, enum, lengths, pattern or a timestamp format.
    static let value: UInt8 = 1
    /// A null (jsonl) or an empty field (csv) is bad: `"nullable": false`.
    static let refusesNull: UInt8 = 2
    /// A missing jsonl key is bad: `"required": true`, or `"nullable": false` (missing is null).
    static let refusesMissing: UInt8 = 4

    static func of(_ c: FieldConstraints?) -> UInt8 {
        guard let c else { return 0 }
        return (c.checksValues ? value : 0) | (c.nullable ? 0 : refusesNull) | (c.required || !c.nullable ? refusesMissing : 0)
    }
}

/// A source's field constraints (``FieldConstraints``) laid out for the decoders: bounds in flat
/// arrays with neutral values where a column has none, enum strings as bytes, and one byte of rule
/// bits per column, so a check reads a few words and compares, and creates no `String` unless the
/// column has a `pattern` or the value is bad.
///
/// Every check is `@inline(never)`: decoders call one only for a column whose ``FieldFlags`` say so,
/// and the code of the checks stays out of their loops. Immutable after `init`, hence safe to share
/// between decoder copies on any thread.
final class FieldChecks: @unchecked Sendable {
    enum Rule {
        static let bounds: UInt8 = 1
        static let allowed: UInt8 = 2
        static let length: UInt8 = 4
        static let pattern: UInt8 = 8
        static let format: UInt8 = 16
    }

    let names: [String]
    let types: [FieldType]
    let constraints: [FieldConstraints?]
    /// Per column: the ``Rule`` bits.
    let rules: UnsafeMutablePointer<UInt8>
    /// int and timestamp columns: the bounds, `Int64.min`/`Int64.max` where there is none.
    let intMin: UnsafeMutablePointer<Int64>
    let intMax: UnsafeMutablePointer<Int64>
    /// float columns: the bounds, -∞/+∞ where there is none.
    let floatMin: UnsafeMutablePointer<Double>
    let floatMax: UnsafeMutablePointer<Double>
    /// string columns: the bounds on the length in Unicode scalars, 0/`Int.max` where there is none.
    let minLength: UnsafeMutablePointer<Int>
    let maxLength: UnsafeMutablePointer<Int>
    /// `enum` per column, by type (empty where the column has none or another type).
    let allowedInts: [[Int64]]
    let allowedFloats: [[Double]]
    let allowedBools: [[Bool]]
    let allowedStrings: [[[UInt8]]]
    /// `enum` as messages list it: `"Apple", "Google"`.
    let allowedText: [String]

    init(_ schema: Schema, _ constraints: [FieldConstraints?]) {
        let count = schema.count
        names = schema.names
        types = schema.fields.map(\.type)
        self.constraints = (0..<count).map { $0 < constraints.count ? constraints[$0] : nil }
        rules = .allocate(capacity: max(count, 1))
        intMin = .allocate(capacity: max(count, 1))
        intMax = .allocate(capacity: max(count, 1))
        floatMin = .allocate(capacity: max(count, 1))
        floatMax = .allocate(capacity: max(count, 1))
        minLength = .allocate(capacity: max(count, 1))
        maxLength = .allocate(capacity: max(count, 1))
        var ints: [[Int64]] = [], floats: [[Double]] = [], bools: [[Bool]] = [], strings: [[[UInt8]]] = [], texts: [String] = []
        for c in 0..<count {
            let k = self.constraints[c]
            var bits: UInt8 = 0
            if k?.min != nil || k?.max != nil { bits |= Rule.bounds }
            if k?.allowed != nil { bits |= Rule.allowed }
            if k?.minLength != nil || k?.maxLength != nil { bits |= Rule.length }
            if k?.pattern != nil { bits |= Rule.pattern }
            if k?.format != nil { bits |= Rule.format }
            (rules + c).initialize(to: bits)
            (intMin + c).initialize(to: Self.int(k?.min) ?? .min)
            (intMax + c).initialize(to: Self.int(k?.max) ?? .max)
            (floatMin + c).initialize(to: Self.float(k?.min) ?? -.infinity)
            (floatMax + c).initialize(to: Self.float(k?.max) ?? .infinity)
            (minLength + c).initialize(to: k?.minLength ?? 0)
            (maxLength + c).initialize(to: k?.maxLength ?? .max)
            let allowed = k?.allowed ?? []
            ints.append(allowed.compactMap { if case .int(let v) = $0 { v } else if case .timestamp(let v) = $0 { v } else { nil } })
            floats.append(allowed.compactMap { if case .float(let v) = $0 { v } else { nil } })
            bools.append(allowed.compactMap { if case .bool(let v) = $0 { v } else { nil } })
            strings.append(allowed.compactMap { if case .string(let v) = $0 { Array(v.utf8) } else { nil } })
            let shown = allowed.prefix(10).map { Self.show($0) }.joined(separator: ", ")
            texts.append(allowed.count > 10 ? shown + ", … (\(allowed.count) values)" : shown)
        }
        allowedInts = ints
        allowedFloats = floats
        allowedBools = bools
        allowedStrings = strings
        allowedText = texts
    }

    deinit {
        rules.deallocate()
        intMin.deallocate()
        intMax.deallocate()
        floatMin.deallocate()
        floatMax.deallocate()
        minLength.deallocate()
        maxLength.deallocate()
    }

    static func int(_ b: FieldConstraints.Bound?) -> Int64? {
        switch b?.value {
        case .int(let v)?, .timestamp(let v)?: return v
        default: return nil
        }
    }

    static func float(_ b: FieldConstraints.Bound?) -> Double? {
        if case .float(let v)? = b?.value { return v }
        return nil
    }

    /// The format of timestamp column `column`, if it has one.
    func format(_ column: Int) -> TimestampFormat? { constraints[column]?.format }

    /// `text` read by the text format of timestamp column `column` (`iso8601` or a pattern), as epoch
    /// ms; nil when it does not fit (or the column's format is not a text format).
    func parseTimestamp(_ column: Int, _ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        switch format(column) {
        case .iso8601?: return Timestamps.parse(text)
        case .pattern(let pattern)?: return pattern.parse(text)
        default: return nil
        }
    }

    // MARK: Checks of present values

    /// Bounds and enum of an int column.
    @inline(never)
    func int(_ column: Int, _ v: Int64, at position: Int?) throws(RecordProblem) {
        if v < intMin[column] { throw below(column, String(v), at: position) }
        if v > intMax[column] { throw above(column, String(v), at: position) }
        if rules[column] & Rule.allowed != 0 && !allowedInts[column].contains(v) {
            throw notAllowed(column, String(v), at: position)
        }
    }

    /// Bounds and enum of a timestamp column (epoch ms, after its format was read).
    @inline(never)
    func timestamp(_ column: Int, _ v: Int64, at position: Int?) throws(RecordProblem) {
        if v < intMin[column] { throw below(column, Timestamps.iso8601(v), at: position, time: true) }
        if v > intMax[column] { throw above(column, Timestamps.iso8601(v), at: position, time: true) }
        if rules[column] & Rule.allowed != 0 && !allowedInts[column].contains(v) {
            throw notAllowed(column, Timestamps.iso8601(v), at: position)
        }
    }

    /// Bounds and enum of a float column; NaN is outside any bound.
    @inline(never)
    func float(_ column: Int, _ v: Double, at position: Int?) throws(RecordProblem) {
        let bits = rules[column]
        if bits & Rule.bounds != 0 {
            if v.isNaN { throw notComparable(column, at: position) }
            if v < floatMin[column] { throw below(column, FloatFormat.string(v), at: position) }
            if v > floatMax[column] { throw above(column, FloatFormat.string(v), at: position) }
        }
        if bits & Rule.allowed != 0 && !allowedFloats[column].contains(v) {
            throw notAllowed(column, FloatFormat.string(v), at: position)
        }
    }

    /// The enum of a bool column.
    @inline(never)
    func bool(_ column: Int, _ v: Bool, at position: Int?) throws(RecordProblem) {
        if rules[column] & Rule.allowed != 0 && !allowedBools[column].contains(v) {
            throw notAllowed(column, v ? "true" : "false", at: position)
        }
    }

    /// Nullability (an empty csv field, when `empty`), lengths, enum and pattern of a string column
    /// whose value is the valid UTF-8 `b`.
    @inline(never)
    func string(_ column: Int, _ b: UnsafeBufferPointer<UInt8>, empty: Bool = false, at position: Int?) throws(RecordProblem) {
        if empty && b.isEmpty && constraints[column]?.nullable == false { throw self.empty(column) }
        let bits = rules[column]
        if bits & Rule.length != 0 {
            // A scalar has 1 to 4 bytes: count only when the byte count does not decide.
            let lo = minLength[column], hi = maxLength[column]
            if b.count > hi || b.count / 4 < lo {
                let n = Self.scalarCount(b)
                if n < lo { throw tooShort(column, b, n, at: position) }
                if n > hi { throw tooLong(column, b, n, at: position) }
            }
        }
        if bits & Rule.allowed != 0 && !isAllowed(column, b) { throw notAllowed(column, quoted(b), at: position) }
        if bits & Rule.pattern != 0, let pattern = constraints[column]?.pattern {
            if !pattern.matches(String(decoding: b, as: UTF8.self)) {
                throw .value("field \"\(names[column])\": \(quoted(b)) does not match the pattern \(pattern.text)",
                             at: position, column: column, rule: .pattern)
            }
        }
    }

    func isAllowed(_ column: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for s in allowedStrings[column] where s.count == b.count {
            if s.withUnsafeBufferPointer({ $0.elementsEqual(b) }) { return true }
        }
        return false
    }

    /// Unicode scalars in valid UTF-8: the bytes that are not continuation bytes (`10xxxxxx`).
    static func scalarCount(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        guard let p = b.baseAddress else { return 0 }
        var continuations = 0
        var j = 0
        while j &+ 8 <= b.count {
            let v = SWAR.load(p + j)
            continuations &+= (v & ~(v &<< 1) & SWAR.highs).nonzeroBitCount
            j &+= 8
        }
        while j < b.count {
            if p[j] & 0xC0 == 0x80 { continuations &+= 1 }
            j &+= 1
        }
        return b.count &- continuations
    }
}
