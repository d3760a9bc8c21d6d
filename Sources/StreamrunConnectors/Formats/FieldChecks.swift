#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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

/// A source's field constraints (``FieldConstraints``) laid out for the decoders: bounds, lengths,
/// formats and enum values in flat buffers (neutral bounds where a column has none, enum strings as
/// bytes), and one byte of rule bits per column. A check reads a few words and compares: it retains
/// nothing, allocates nothing and creates no `String` unless the column has a `pattern` or the
/// value is bad.
///
/// A trivial value (pointers only), so that calling a check costs no reference counting: the
/// buffers and the rest (names, messages, patterns) belong to a ``FieldConstraintTable``, which the
/// ``FieldTable`` holding this value keeps alive, and which a check reaches through an unretained
/// reference only to report a problem or match a pattern.
///
/// Decoders test a value inline only against the bounds and lengths (``fits(_:_:)-(_,Int64)``), for a
/// column whose ``FieldFlags`` ask for it; every full check is `@inline(never)` and runs only for a
/// value that does not fit at once (a bad one, or one of a column with an enum or a pattern), so
/// its code stays out of the decoders' loops.
struct FieldChecks {
    enum Rule {
        static let bounds: UInt8 = 1
        static let allowed: UInt8 = 2
        static let length: UInt8 = 4
        static let pattern: UInt8 = 8
        /// `"nullable": false`.
        static let notNull: UInt8 = 16
    }

    /// ``formatKind`` values.
    enum FormatKind {
        static let none: UInt8 = 0
        static let epochMillis: UInt8 = 1
        static let epochSeconds: UInt8 = 2
        static let iso8601: UInt8 = 3
        static let pattern: UInt8 = 4
    }

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
    /// timestamp columns: a ``FormatKind``.
    let formatKind: UnsafeMutablePointer<UInt8>
    /// `enum`: column `c` allows values `allowedStart[c] ..< allowedStart[c] + allowedCount[c]` of
    /// `allowedInts` (int, timestamp, and bool as 0/1), `allowedFloats` or the strings
    /// (`allowedBytes[stringStart[k] ..< stringStart[k] + stringLength[k]]`), by its type.
    let allowedStart: UnsafeMutablePointer<Int>
    let allowedCount: UnsafeMutablePointer<Int>
    let allowedInts: UnsafeMutablePointer<Int64>
    let allowedFloats: UnsafeMutablePointer<Double>
    let stringStart: UnsafeMutablePointer<Int>
    let stringLength: UnsafeMutablePointer<Int>
    let allowedBytes: UnsafeMutablePointer<UInt8>
    /// The owner of the buffers and of everything else.
    let table: Unmanaged<FieldConstraintTable>

    /// Names, constraints, messages: for problems and the rare paths (patterns).
    var cold: FieldConstraintTable { table.takeUnretainedValue() }

    /// The format of timestamp column `column`, for messages.
    func format(_ column: Int) -> TimestampFormat? { cold.constraints[column]?.format }

    /// `text` read by the text format of timestamp column `column` (`iso8601` or a pattern), as epoch
    /// ms; nil when it does not fit (or the column's format is not a text format).
    func parseTimestamp(_ column: Int, _ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        switch formatKind[column] {
        case FormatKind.iso8601: return Timestamps.parse(text)
        case FormatKind.pattern: return cold.timestampPatterns[column]?.parse(text)
        default: return nil
        }
    }

    /// Whether `v` is among the int, timestamp or bool (0/1) values column `column` allows.
    func allows(_ column: Int, _ v: Int64) -> Bool {
        let start = allowedStart[column], end = start &+ allowedCount[column]
        var k = start
        while k < end {
            if allowedInts[k] == v { return true }
            k &+= 1
        }
        return false
    }



    // MARK: Checks of present values

    /// True when `v` is within column `column`'s bounds and the column has no enum: what nearly
    /// every value of a constrained int or timestamp column is, decided inline with two compares.
    /// False sends the value to ``int(_:_:at:)`` or ``timestamp(_:_:at:)`` for the full check.
    @inline(__always)
    func fits(_ column: Int, _ v: Int64) -> Bool {
        v >= intMin[column] && v <= intMax[column] && rules[column] & Rule.allowed == 0
    }

    /// ``fits(_:_:)-(_,Int64)`` for a float column (NaN never fits).
    @inline(__always)
    func fits(_ column: Int, _ v: Double) -> Bool {
        v >= floatMin[column] && v <= floatMax[column] && rules[column] & Rule.allowed == 0
    }

    /// True when the string `b` passes column `column` by its byte count alone: no enum or pattern,
    /// as many bytes as the maximum length at most, at least four per character of the minimum
    /// (a scalar has at most four), and not empty if the column refuses null (csv).
    @inline(__always)
    func fits(_ column: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let bits = rules[column]
        return bits & (Rule.allowed | Rule.pattern) == 0 && b.count <= maxLength[column] && b.count &>> 2 >= minLength[column]
            && (b.count != 0 || bits & Rule.notNull == 0)
    }

    /// Bounds and enum of an int column.
    @inline(never)
    func int(_ column: Int, _ v: Int64, at position: Int?) throws(RecordProblem) {
        if v < intMin[column] { throw below(column, String(v), at: position) }
        if v > intMax[column] { throw above(column, String(v), at: position) }
        if rules[column] & Rule.allowed != 0 && !allows(column, v) { throw notAllowed(column, String(v), at: position) }
    }

    /// Bounds and enum of a timestamp column (epoch ms, after its format was read).
    @inline(never)
    func timestamp(_ column: Int, _ v: Int64, at position: Int?) throws(RecordProblem) {
        if v < intMin[column] { throw below(column, Timestamps.iso8601(v), at: position, time: true) }
        if v > intMax[column] { throw above(column, Timestamps.iso8601(v), at: position, time: true) }
        if rules[column] & Rule.allowed != 0 && !allows(column, v) { throw notAllowed(column, Timestamps.iso8601(v), at: position) }
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
        if bits & Rule.allowed != 0 {
            let start = allowedStart[column]
            var k = start
            while k < start &+ allowedCount[column] && allowedFloats[k] != v { k &+= 1 }
            if k == start &+ allowedCount[column] { throw notAllowed(column, FloatFormat.string(v), at: position) }
        }
    }

    /// The enum of a bool column.
    @inline(never)
    func bool(_ column: Int, _ v: Bool, at position: Int?) throws(RecordProblem) {
        if rules[column] & Rule.allowed != 0 && !allows(column, v ? 1 : 0) {
            throw notAllowed(column, v ? "true" : "false", at: position)
        }
    }

    /// Nullability (an empty csv field, when `empty`), lengths, enum and pattern of a string column
    /// whose value is the valid UTF-8 `b`.
    @inline(never)
    func string(_ column: Int, _ b: UnsafeBufferPointer<UInt8>, empty: Bool = false, at position: Int?) throws(RecordProblem) {
        let bits = rules[column]
        if empty && b.isEmpty && bits & Rule.notNull != 0 { throw self.empty(column) }
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
        if bits & Rule.pattern != 0 {
            try matchPattern(column, b, at: position)
        }
    }

    /// The `pattern` of column `column` against `b`: the one check that builds a `String`.
    @inline(never)
    func matchPattern(_ column: Int, _ b: UnsafeBufferPointer<UInt8>, at position: Int?) throws(RecordProblem) {
        if let pattern = cold.constraints[column]?.pattern {
            if !pattern.matches(String(decoding: b, as: UTF8.self)) {
                throw .value("field \"\(cold.names[column])\": \(quoted(b)) does not match the pattern \(pattern.text)",
                             at: position, column: column, rule: .pattern)
            }
        }
    }

    /// Whether the string `b` is among those column `column` allows: lengths first, then bytes.
    func isAllowed(_ column: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = allowedStart[column], end = start &+ allowedCount[column]
        var k = start
        while k < end {
            if stringLength[k] == b.count
                && (b.count == 0 || memcmp(allowedBytes + stringStart[k], b.baseAddress!, b.count) == 0) { return true }
            k &+= 1
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
