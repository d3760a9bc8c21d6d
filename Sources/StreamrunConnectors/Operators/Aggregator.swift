import StreamrunCore
import StreamrunPlan

/// Computes one window aggregate incrementally: the initial accumulator, one update per row,
/// merging (session windows) and the output value.
///
/// Argument expressions are evaluated once per batch (``arguments(_:)``); updates then read
/// row `i` of that column. SQL null rules: nulls are ignored (`count()` counts every row), and an
/// aggregate that saw only nulls yields null, except the counts which yield 0.
struct Aggregator: Sendable {
    let function: AggregateSpec.Function
    let argument: CompiledExpression?
    let outputType: FieldType
    /// True for `max` and `last`: the larger value (or later record) wins.
    let prefersLarger: Bool

    init(_ a: CompiledAggregate) {
        function = a.function
        argument = a.argument
        outputType = a.outputType
        prefersLarger = a.function == .max || a.function == .last
    }

    var initial: Accumulator {
        switch function {
        case .count: return .count(0)
        case .countDistinct: return .distinct([])
        case .sum: return outputType == .float ? .sumFloat(0, seen: false) : .sumInt(0, seen: false)
        case .avg: return .avg(sum: 0, count: 0)
        case .min, .max: return .extreme(nil)
        case .first, .last: return .positioned(nil, time: 0, seq: 0)
        }
    }

    /// The argument column for every row of `batch`, or nil for `count()`.
    func arguments(_ batch: RecordBatch) throws -> Column? {
        try argument?.evaluate(batch)
    }

    /// Row `i` of `column` as an accumulator value; nil when null.
    @inline(__always) static func value(_ column: Column, _ i: Int) -> AggValue? {
        if column.isNull(i) { return nil }
        switch column.storage {
        case .int(let a): return .int(a[i])
        case .float(let a): return .float(a[i])
        case .bool(let a): return .bool(a[i])
        case .string(let s): return .string(Array(s.bytes[s.range(i)]))
        }
    }

    /// Folds row `i` (event time `time`, arrival number `seq`) into `acc`.
    @inline(__always) func update(_ acc: inout Accumulator, _ column: Column?, _ i: Int, time: Int64, seq: Int64) {
        guard let column else {
            if case .count(let n) = acc { acc = .count(n &+ 1) }
            return
        }
        if column.isNull(i) { return }
        switch acc {
        case .count(let n):
            acc = .count(n &+ 1)
        case .sumInt(let s, _):
            if case .int(let a) = column.storage { acc = .sumInt(s &+ a[i], seen: true) }
        case .sumFloat(let s, _):
            switch column.storage {
            case .float(let a): acc = .sumFloat(s + a[i], seen: true)
            case .int(let a): acc = .sumFloat(s + Double(a[i]), seen: true)
            default: break
            }
        case .avg(let s, let n):
            switch column.storage {
            case .float(let a): acc = .avg(sum: s + a[i], count: n + 1)
            case .int(let a): acc = .avg(sum: s + Double(a[i]), count: n + 1)
            default: break
            }
        case .extreme(let current):
            if let current, !beats(column, i, current) { return }
            acc = .extreme(Self.value(column, i))
        case .positioned(let current, let t, let q):
            if let current {
                let wins = time != t ? (prefersLarger ? time > t : time < t)
                    : Self.positionWins(larger: prefersLarger, Self.value(column, i)!, seq, over: current, q)
                if !wins { return }
            }
            acc = .positioned(Self.value(column, i), time: time, seq: seq)
        case .distinct(var set):
            acc = .count(0)  // let `set` be uniquely referenced while it grows
            set.insert(AggValue.distinctMember(Self.value(column, i)!))
            acc = .distinct(set)
        }
    }

    /// For `first`/`last` at equal event time: the smaller (`first`) or larger (`last`) value wins,
    /// in the order `min`/`max` use, so the result does not depend on which of several parallel
    /// inputs delivered its record first. Only equal values fall back to the arrival sequence (and
    /// give the same result either way).
    static func positionWins(larger: Bool, _ value: AggValue, _ seq: Int64, over current: AggValue, _ q: Int64) -> Bool {
        if AggValue.less(value, current) { return !larger }
        if AggValue.less(current, value) { return larger }
        return larger ? seq > q : seq < q
    }

    /// True when row `i` should replace `current` for min/max; compares strings without copying.
    @inline(__always) func beats(_ column: Column, _ i: Int, _ current: AggValue) -> Bool {
        switch (column.storage, current) {
        case (.int(let a), .int(let c)): return prefersLarger ? a[i] > c : a[i] < c
        case (.float(let a), .float(let c)):
            return prefersLarger ? AggValue.floatLess(c, a[i]) : AggValue.floatLess(a[i], c)
        case (.bool(let a), .bool(let c)): return prefersLarger ? (a[i] && !c) : (!a[i] && c)
        case (.string(let s), .string(let c)):
            return s.withBytes(i) { b in
                prefersLarger ? c.lexicographicallyPrecedes(b) : b.lexicographicallyPrecedes(c)
            }
        default: return false
        }
    }

    /// Folds `other` (a window merged away) into `acc`.
    func merge(_ acc: inout Accumulator, _ other: Accumulator) {
        switch (acc, other) {
        case (.count(let a), .count(let b)): acc = .count(a &+ b)
        case (.sumInt(let a, let sa), .sumInt(let b, let sb)): acc = .sumInt(a &+ b, seen: sa || sb)
        case (.sumFloat(let a, let sa), .sumFloat(let b, let sb)):
            acc = .sumFloat(sa && sb ? a + b : (sa ? a : b), seen: sa || sb)
        case (.avg(let a, let n), .avg(let b, let m)):
            acc = .avg(sum: n > 0 && m > 0 ? a + b : (n > 0 ? a : b), count: n + m)
        case (.extreme(let a), .extreme(let b)):
            guard let b else { return }
            if let a {
                let takeB = prefersLarger ? AggValue.less(a, b) : AggValue.less(b, a)
                if takeB { acc = .extreme(b) }
            } else {
                acc = .extreme(b)
            }
        case (.positioned(let a, let t, let q), .positioned(let b, let u, let r)):
            guard let b else { return }
            guard let a else {
                acc = .positioned(b, time: u, seq: r)
                return
            }
            let takeB = u != t ? (prefersLarger ? u > t : u < t) : Self.positionWins(larger: prefersLarger, b, r, over: a, q)
            if takeB { acc = .positioned(b, time: u, seq: r) }
        case (.distinct(var a), .distinct(let b)):
            acc = .count(0)
            a.formUnion(b)
            acc = .distinct(a)
        default:
            preconditionFailure("Aggregator.merge: accumulator kinds differ")
        }
    }

    /// Appends the aggregate's result to column `c` of `builder`.
    func append(_ acc: Accumulator, to builder: inout BatchBuilder, column c: Int) {
        switch acc {
        case .count(let n): builder.appendInt(c, n)
        case .distinct(let s): builder.appendInt(c, Int64(s.count))
        case .sumInt(let s, let seen): if seen { builder.appendInt(c, s) } else { builder.appendNull(c) }
        case .sumFloat(let s, let seen): if seen { builder.appendFloat(c, s) } else { builder.appendNull(c) }
        case .avg(let s, let n): if n > 0 { builder.appendFloat(c, s / Double(n)) } else { builder.appendNull(c) }
        case .extreme(let v), .positioned(let v, _, _):
            switch v {
            case nil: builder.appendNull(c)
            case .int(let x): builder.appendInt(c, x)
            case .float(let x): builder.appendFloat(c, x)
            case .bool(let x): builder.appendBool(c, x)
            case .string(let x): builder.appendString(c, x)
            }
        }
    }
}
