import StreamrunCore

/// `+ - * / %` and unary `-`. Ints wrap like Java; integer `/` truncates and `%` takes the sign of
/// the dividend; dividing by zero (int or float) gives null. Inputs are non-null scalars or columns.
enum Arithmetic {
    static func apply(_ op: BinaryOperator, _ a: Datum, _ b: Datum, _ n: Int) -> Datum {
        if a.storageKind == .float { return float(op, a, b, n) }
        return int(op, a, b, n)
    }

    private static func int(_ op: BinaryOperator, _ a: Datum, _ b: Datum, _ n: Int) -> Datum {
        let x = a.ints, y = b.ints
        var validity = Loops.and(a.validity, b.validity)
        let values: [Int64]
        switch op {
        case .add: values = Loops.map(x, y, n) { $0 &+ $1 }
        case .sub: values = Loops.map(x, y, n) { $0 &- $1 }
        case .mul: values = Loops.map(x, y, n) { $0 &* $1 }
        case .div, .mod:
            if case .scalar(0) = y { return .scalar(.null) }
            if op == .div {
                // Int64.min / -1 wraps to Int64.min, as in Java.
                values = Loops.map(x, y, n) { p, q in q == 0 ? 0 : (q == -1 ? 0 &- p : p / q) }
            } else {
                values = Loops.map(x, y, n) { p, q in q == 0 || q == -1 ? 0 : p % q }
            }
            if case .array(let ys) = y, ys.contains(0) {
                validity = Loops.and(validity, Loops.map(ys) { $0 != 0 })
            }
        default: preconditionFailure("not arithmetic: \(op)")
        }
        return .column(Column(.int(values), validity: validity))
    }

    private static func float(_ op: BinaryOperator, _ a: Datum, _ b: Datum, _ n: Int) -> Datum {
        let x = a.floats, y = b.floats
        var validity = Loops.and(a.validity, b.validity)
        let values: [Double]
        switch op {
        case .add: values = Loops.map(x, y, n) { $0 + $1 }
        case .sub: values = Loops.map(x, y, n) { $0 - $1 }
        case .mul: values = Loops.map(x, y, n) { $0 * $1 }
        case .div, .mod:
            if case .scalar(let q) = y, q == 0 { return .scalar(.null) }
            if op == .div {
                values = Loops.map(x, y, n) { p, q in q == 0 ? 0 : p / q }
            } else {
                values = Loops.map(x, y, n) { p, q in q == 0 ? 0 : p.truncatingRemainder(dividingBy: q) }
            }
            if case .array(let ys) = y, ys.contains(0) {
                validity = Loops.and(validity, Loops.map(ys) { $0 != 0 })
            }
        default: preconditionFailure("not arithmetic: \(op)")
        }
        return .column(Column(.float(values), validity: validity))
    }

    static func negate(_ a: Datum) -> Datum {
        guard case .column(let c) = a else { preconditionFailure("negate: scalar input") }
        switch c.storage {
        case .int(let v): return .column(Column(.int(Loops.map(v) { 0 &- $0 }), validity: c.validity))
        case .float(let v): return .column(Column(.float(Loops.map(v) { -$0 }), validity: c.validity))
        default: preconditionFailure("negate: not a number")
        }
    }
}

/// `== != < <= > >=` on operands of one storage kind: ints (and timestamps), floats (IEEE: NaN is
/// unequal to everything), strings (bytewise UTF-8 order) and bools (== and != only).
enum Comparison {
    static func apply(_ op: BinaryOperator, _ a: Datum, _ b: Datum, _ n: Int) -> Datum {
        let validity = Loops.and(a.validity, b.validity)
        let values: [Bool]
        switch a.storageKind {
        case .int?: values = ordered(op, a.ints, b.ints, n)
        case .float?: values = ordered(op, a.floats, b.floats, n)
        case .bool?:
            values = op == .eq ? Loops.map(a.bools, b.bools, n) { $0 == $1 } : Loops.map(a.bools, b.bools, n) { $0 != $1 }
        case .string?: values = strings(op, a.strings, b.strings, n)
        default: preconditionFailure("compare: null input")
        }
        return .column(Column(.bool(values), validity: validity))
    }

    @inline(__always)
    private static func ordered<T: Comparable>(_ op: BinaryOperator, _ x: Operand<T>, _ y: Operand<T>, _ n: Int) -> [Bool] {
        switch op {
        case .eq: return Loops.map(x, y, n) { $0 == $1 }
        case .ne: return Loops.map(x, y, n) { $0 != $1 }
        case .lt: return Loops.map(x, y, n) { $0 < $1 }
        case .le: return Loops.map(x, y, n) { $0 <= $1 }
        case .gt: return Loops.map(x, y, n) { $0 > $1 }
        case .ge: return Loops.map(x, y, n) { $0 >= $1 }
        default: preconditionFailure("not a comparison: \(op)")
        }
    }

    private static func strings(_ op: BinaryOperator, _ x: StringOperand, _ y: StringOperand, _ n: Int) -> [Bool] {
        switch op {
        case .eq: return StringLoops.map(x, y, n) { Bytes.equal($0, $1) }
        case .ne: return StringLoops.map(x, y, n) { !Bytes.equal($0, $1) }
        case .lt: return StringLoops.map(x, y, n) { Bytes.compare($0, $1) < 0 }
        case .le: return StringLoops.map(x, y, n) { Bytes.compare($0, $1) <= 0 }
        case .gt: return StringLoops.map(x, y, n) { Bytes.compare($0, $1) > 0 }
        case .ge: return StringLoops.map(x, y, n) { Bytes.compare($0, $1) >= 0 }
        default: preconditionFailure("not a comparison: \(op)")
        }
    }
}

/// Byte-level helpers on UTF-8 text.
enum Bytes {
    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// -1, 0 or 1: bytewise order, which for UTF-8 is Unicode scalar order.
    @inline(__always)
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = Swift.min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    @inline(__always)
    static func hasPrefix(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count <= s.count else { return false }
        for i in 0..<p.count where s[i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func hasSuffix(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count <= s.count else { return false }
        let d = s.count - p.count
        for i in 0..<p.count where s[d + i] != p[i] { return false }
        return true
    }

    static func contains(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.isEmpty { return true }
        guard p.count <= s.count else { return false }
        let first = p[0]
        var i = 0
        let last = s.count - p.count
        outer: while i <= last {
            if s[i] == first {
                for k in 1..<p.count where s[i + k] != p[k] {
                    i += 1
                    continue outer
                }
                return true
            }
            i += 1
        }
        return false
    }

    /// True when every byte is ASCII.
    @inline(__always)
    static func isASCII(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var acc: UInt8 = 0
        for b in s { acc |= b }
        return acc < 0x80
    }

    /// The number of Unicode scalars (bytes that do not continue a UTF-8 sequence).
    @inline(__always)
    static func scalarCount(_ s: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in s where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// The byte offset where scalar `k` (0-based) starts, or `s.count` when the text is shorter.
    static func byteOffset(_ s: UnsafeBufferPointer<UInt8>, scalar k: Int) -> Int {
        if k <= 0 { return 0 }
        var seen = 0
        for i in 0..<s.count where s[i] & 0xC0 != 0x80 {
            if seen == k { return i }
            seen += 1
        }
        return s.count
    }
}

enum StringLoops {
    @inline(__always)
    static func map<R>(
        _ a: StringOperand, _ b: StringOperand, _ n: Int,
        _ f: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R
    ) -> [R] {
        a.withView { va in
            b.withView { vb in
                [R](unsafeUninitializedCapacity: n) { out, k in
                    for i in 0..<n { out[i] = f(va[i], vb[i]) }
                    k = n
                }
            }
        }
    }

    @inline(__always)
    static func map<R>(_ a: StringOperand, _ n: Int, _ f: (UnsafeBufferPointer<UInt8>) -> R) -> [R] {
        a.withView { va in
            [R](unsafeUninitializedCapacity: n) { out, k in
                for i in 0..<n { out[i] = f(va[i]) }
                k = n
            }
        }
    }
}
