import StreamrunCore

/// Three-valued logic (`&& || !`), `is_null`, `if` and `coalesce`.
///
/// `false && null` is false and `true || null` is true; otherwise a null input makes the result null.
enum Logic {
    static func not(_ a: Datum) -> Datum {
        guard case .column(let c) = a, case .bool(let v) = c.storage else { preconditionFailure("not: expected bools") }
        return .column(Column(.bool(Loops.map(v) { !$0 }), validity: c.validity))
    }

    static func and(_ a: Datum, _ b: Datum, _ n: Int) -> Datum { combine(a, b, n, isAnd: true) }
    static func or(_ a: Datum, _ b: Datum, _ n: Int) -> Datum { combine(a, b, n, isAnd: false) }

    /// `&&` when `isAnd`, else `||`. The "dominant" value (false for &&, true for ||) wins over null.
    private static func combine(_ a: Datum, _ b: Datum, _ n: Int, isAnd: Bool) -> Datum {
        let dominant = !isAnd
        switch (a, b) {
        case (.scalar(let s), _), (_, .scalar(let s)):
            let other: Datum
            if case .scalar = a, case .scalar = b {
                // Both scalars only reach here on one-row constant evaluation with a null operand.
                if a.isNullScalar && b.isNullScalar { return .scalar(.null) }
                other = a.isNullScalar ? b : a
                if case .scalar(.bool(let v)) = other { return .scalar(v == dominant ? .bool(dominant) : .null) }
                return withNull(other, dominant: dominant)
            }
            if case .scalar = a { other = b } else { other = a }
            switch s {
            case .bool(let v): return v == dominant ? .scalar(.bool(dominant)) : other
            default: return withNull(other, dominant: dominant)
            }
        case (.column(let x), .column(let y)):
            guard case .bool(let p) = x.storage, case .bool(let q) = y.storage else {
                preconditionFailure("and/or: expected bools")
            }
            let values = isAnd ? Loops.map(.array(p), .array(q), n) { $0 && $1 } : Loops.map(.array(p), .array(q), n) { $0 || $1 }
            if x.validity == nil && y.validity == nil { return .column(Column(.bool(values))) }
            let va = x.validity ?? [Bool](repeating: true, count: n)
            let vb = y.validity ?? [Bool](repeating: true, count: n)
            var valid = [Bool](repeating: false, count: n)
            for i in 0..<n {
                // Valid when both are, or when either is the dominant value.
                valid[i] = (va[i] && vb[i]) || (va[i] && p[i] == dominant) || (vb[i] && q[i] == dominant)
            }
            return .column(Column(.bool(values), validity: Loops.compact(valid)))
        }
    }

    /// `x && null` / `x || null`: the dominant value where x has it, null elsewhere.
    private static func withNull(_ x: Datum, dominant: Bool) -> Datum {
        guard case .column(let c) = x, case .bool(let v) = c.storage else { preconditionFailure("and/or: expected bools") }
        let validity = c.validity
        var valid = [Bool](repeating: false, count: v.count)
        for i in 0..<v.count { valid[i] = (validity?[i] ?? true) && v[i] == dominant }
        return .column(Column(.bool([Bool](repeating: dominant, count: v.count)), validity: valid))
    }

    static func isNull(_ a: Datum, _ n: Int) -> Datum {
        switch a {
        case .scalar(let s): return .scalar(.bool(s.isNull))
        case .column(let c):
            guard let v = c.validity else { return .scalar(.bool(false)) }
            return .column(Column(.bool(Loops.map(v) { !$0 })))
        }
    }

    static func ifThenElse(_ c: Datum, _ a: Datum, _ b: Datum, _ n: Int, _ type: FieldType?) -> Datum {
        guard type != nil else { return .scalar(.null) }
        switch c {
        case .scalar(.bool(true)): return a
        case .scalar(.bool(false)): return b
        case .scalar: return .scalar(.null)
        case .column(let col):
            guard case .bool(let pick) = col.storage else { preconditionFailure("if: expected a bool condition") }
            let va = a.validMask(n), vb = b.validMask(n), vc = col.validity
            var valid: [Bool]? = nil
            if va != nil || vb != nil || vc != nil {
                var m = [Bool](repeating: false, count: n)
                for i in 0..<n {
                    m[i] = (vc?[i] ?? true) && (pick[i] ? (va?[i] ?? true) : (vb?[i] ?? true))
                }
                valid = Loops.compact(m)
            }
            return .column(choose(pick, valid, a, b, n, type))
        }
    }

    static func coalesce(_ args: [Datum], _ n: Int, _ type: FieldType?) -> Datum {
        var cur = args[0]
        for next in args.dropFirst() {
            switch cur {
            case .scalar(.null):
                cur = next
                continue
            case .scalar: return cur
            case .column(let c):
                guard let keep = c.validity else { return cur }
                let vn = next.validMask(n)
                let valid = vn.map { v in Loops.map(.array(keep), .array(v), n) { $0 || $1 } }
                cur = .column(choose(keep, valid.flatMap(Loops.compact), cur, next, n, type))
            }
        }
        return cur
    }

    /// Row i is `a[i]` where `pick[i]`, else `b[i]`; `validity` is the result's mask.
    static func choose(_ pick: [Bool], _ validity: [Bool]?, _ a: Datum, _ b: Datum, _ n: Int, _ type: FieldType?) -> Column {
        switch Evaluator.storage(type) {
        case .int?:
            return Column(.int(select(pick, a.ints, b.ints, n)), validity: validity)
        case .float?: return Column(.float(select(pick, a.floats, b.floats, n)), validity: validity)
        case .bool?: return Column(.bool(select(pick, a.bools, b.bools, n)), validity: validity)
        case .string?:
            let x = a.strings, y = b.strings
            var out = StringArray()
            out.reserve(strings: n, bytes: 16 * n)
            x.withView { vx in
                y.withView { vy in
                    for i in 0..<n {
                        if let v = validity, !v[i] {
                            out.appendEmpty()
                        } else {
                            out.append(bytes: pick[i] ? vx[i] : vy[i])
                        }
                    }
                }
            }
            return Column(.string(out), validity: validity)
        default: preconditionFailure("choose: storage of \(String(describing: type))")
        }
    }

    @inline(__always)
    private static func select<T>(_ pick: [Bool], _ x: Operand<T>, _ y: Operand<T>, _ n: Int) -> [T] {
        pick.withUnsafeBufferPointer { p in
            [T](unsafeUninitializedCapacity: n) { out, k in
                for i in 0..<n { out[i] = p[i] ? x[i] : y[i] }
                k = n
            }
        }
    }
}
