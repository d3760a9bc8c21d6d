import StreamrunCore

/// Kernels for the built-in functions. Inputs are columns or non-null scalars (a null input was
/// already turned into a null result); unary functions always get a column.
enum Functions {
    static func apply(_ f: Builtin, _ args: [Datum], _ n: Int, _ type: FieldType?) -> Datum {
        switch f {
        case .lower: return Strings.changeCase(column(args[0]), upper: false)
        case .upper: return Strings.changeCase(column(args[0]), upper: true)
        case .trim: return Strings.trim(column(args[0]))
        case .length: return Strings.length(column(args[0]))
        case .contains: return Strings.predicate(args[0], args[1], n) { Bytes.contains($0, $1) }
        case .startsWith: return Strings.predicate(args[0], args[1], n) { Bytes.hasPrefix($0, $1) }
        case .endsWith: return Strings.predicate(args[0], args[1], n) { Bytes.hasSuffix($0, $1) }
        case .concat: return Strings.concat(args.map(Conversions.toString), n)
        case .substr: return Strings.substr(args, n)
        case .abs: return Numbers.abs(column(args[0]))
        case .floor: return Numbers.floatMap(args[0]) { $0.rounded(.down) }
        case .ceil: return Numbers.floatMap(args[0]) { $0.rounded(.up) }
        case .round:
            if args.count == 1 { return Numbers.floatMap(args[0]) { $0.rounded(.toNearestOrAwayFromZero) } }
            return Numbers.round(args[0], args[1], n)
        case .toInt: return Conversions.toInt(args[0])
        case .toFloat: return Conversions.toFloat(args[0])
        case .toString: return Conversions.toString(args[0])
        case .date: return Conversions.date(column(args[0]))
        case .hour:
            let c = column(args[0])
            guard case .int(let v) = c.storage else { preconditionFailure("hour: expected ints") }
            return .column(Column(.int(Loops.map(v) { Timestamps.hour($0) }), validity: c.validity))
        }
    }

    static func column(_ d: Datum) -> Column {
        guard case .column(let c) = d else { preconditionFailure("expected a column input") }
        return c
    }
}

enum Strings {
    /// ASCII letters change with a byte operation; a string with other bytes goes through `String`.
    static func changeCase(_ c: Column, upper: Bool) -> Datum {
        guard case .string(let s) = c.storage else { preconditionFailure("lower/upper: expected strings") }
        let (from, to): (UInt8, UInt8) = upper ? (97, 122) : (65, 90)
        let flip: (UInt8) -> UInt8 = { b in b >= from && b <= to ? b ^ 0x20 : b }
        if s.bytes.withUnsafeBufferPointer(Bytes.isASCII) {
            return .column(Column(.string(StringArray(bytes: Loops.map(s.bytes, flip), offsets: s.offsets)), validity: c.validity))
        }
        var out = StringArray()
        out.reserve(strings: s.count, bytes: s.bytes.count)
        for i in 0..<s.count {
            s.withBytes(i) { b in
                if Bytes.isASCII(b) {
                    out.append(bytes: b.map(flip))
                } else {
                    let t = String(decoding: b, as: UTF8.self)
                    out.append(upper ? t.uppercased() : t.lowercased())
                }
            }
        }
        return .column(Column(.string(out), validity: c.validity))
    }

    /// Removes leading and trailing ASCII whitespace (space, tab, newline, carriage return, form feed, vertical tab).
    static func trim(_ c: Column) -> Datum {
        guard case .string(let s) = c.storage else { preconditionFailure("trim: expected strings") }
        var out = StringArray()
        out.reserve(strings: s.count, bytes: s.bytes.count)
        for i in 0..<s.count {
            s.withBytes(i) { b in
                var lo = 0, hi = b.count
                while lo < hi, isSpace(b[lo]) { lo += 1 }
                while hi > lo, isSpace(b[hi - 1]) { hi -= 1 }
                out.append(bytes: UnsafeBufferPointer(rebasing: b[lo..<hi]))
            }
        }
        return .column(Column(.string(out), validity: c.validity))
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }

    /// The number of Unicode scalars.
    static func length(_ c: Column) -> Datum {
        guard case .string(let s) = c.storage else { preconditionFailure("length: expected strings") }
        let n = s.count
        if s.bytes.withUnsafeBufferPointer(Bytes.isASCII) {
            let o = s.offsets
            return .column(Column(.int((0..<n).map { Int64(o[$0 + 1] - o[$0]) }), validity: c.validity))
        }
        let values = StringLoops.map(.array(s), n) { Int64(Bytes.scalarCount($0)) }
        return .column(Column(.int(values), validity: c.validity))
    }

    @inline(__always)
    static func predicate(
        _ a: Datum, _ b: Datum, _ n: Int, _ f: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Datum {
        let values = StringLoops.map(a.strings, b.strings, n, f)
        return .column(Column(.bool(values), validity: Loops.and(a.validity, b.validity)))
    }

    /// Joins string inputs row by row; null when any input is null.
    static func concat(_ parts: [Datum], _ n: Int) -> Datum {
        var validity: [Bool]? = nil
        for p in parts { validity = Loops.and(validity, p.validity) }
        var out = StringArray()
        let operands = parts.map(\.strings)
        var estimate = 0
        for o in operands {
            switch o {
            case .array(let s): estimate += s.bytes.count
            case .scalar(let b): estimate += b.count * n
            }
        }
        out.reserve(strings: n, bytes: estimate)
        for i in 0..<n {
            if let v = validity, !v[i] {
                out.appendEmpty()
                continue
            }
            for o in operands {
                switch o {
                case .array(let s): out.bytes.append(contentsOf: s.bytes[s.range(i)])
                case .scalar(let b): out.bytes.append(contentsOf: b)
                }
            }
            out.offsets.append(Int32(truncatingIfNeeded: out.bytes.count))
        }
        return .column(Column(.string(out), validity: validity))
    }

    /// `substr(s, start[, len])`, 1-based over Unicode scalars as in SQL: the scalars at positions
    /// `start ..< start + len` that exist (so a start ≤ 0 eats into the length); a negative length is empty.
    static func substr(_ args: [Datum], _ n: Int) -> Datum {
        let starts = args[1].ints
        let lengths: Operand<Int64>? = args.count > 2 ? args[2].ints : nil
        var validity = Loops.and(args[0].validity, args[1].validity)
        if args.count > 2 { validity = Loops.and(validity, args[2].validity) }
        var out = StringArray()
        args[0].strings.withView { s in
            out.reserve(strings: n, bytes: s.bytes.count)
            for i in 0..<n {
                let b = s[i]
                let (lo, hi) = range(b, start: starts[i], length: lengths?[i])
                out.append(bytes: UnsafeBufferPointer(rebasing: b[lo..<hi]))
            }
        }
        return .column(Column(.string(out), validity: validity))
    }

    /// The byte range of `substr` within `b`.
    static func range(_ b: UnsafeBufferPointer<UInt8>, start: Int64, length: Int64?) -> (Int, Int) {
        if let length, length < 0 { return (0, 0) }
        let from0 = start == .min ? start : start - 1
        var to = Int64.max
        if let length {
            let (t, overflow) = from0.addingReportingOverflow(length)
            to = overflow ? .max : t
        }
        let from = Swift.max(from0, 0)
        guard to > from else { return (0, 0) }
        if Bytes.isASCII(b) {
            let c = Int64(b.count)
            return (Int(Swift.min(from, c)), Int(Swift.min(to, c)))
        }
        let lo = Bytes.byteOffset(b, scalar: Int(Swift.min(from, Int64(b.count))))
        let hi = Bytes.byteOffset(b, scalar: Int(Swift.min(to, Int64(b.count))))
        return (lo, hi)
    }
}

enum Numbers {
    static func abs(_ c: Column) -> Datum {
        switch c.storage {
        case .int(let v): return .column(Column(.int(Loops.map(v) { $0 < 0 ? 0 &- $0 : $0 }), validity: c.validity))
        case .float(let v): return .column(Column(.float(Loops.map(v) { Swift.abs($0) }), validity: c.validity))
        default: preconditionFailure("abs: expected a number")
        }
    }

    /// Applies `f` to floats; ints are already whole and pass through unchanged.
    @inline(__always)
    static func floatMap(_ d: Datum, _ f: (Double) -> Double) -> Datum {
        let c = Functions.column(d)
        guard case .float(let v) = c.storage else { return d }
        return .column(Column(.float(Loops.map(v, f)), validity: c.validity))
    }

    static func round(_ x: Datum, _ digits: Datum, _ n: Int) -> Datum {
        let validity = Loops.and(x.validity, digits.validity)
        if x.storageKind == .float {
            return .column(Column(.float(Loops.map(x.floats, digits.ints, n, round)), validity: validity))
        }
        return .column(Column(.int(Loops.map(x.ints, digits.ints, n, round)), validity: validity))
    }

    /// Powers of ten 10^0 … 10^308, each the double nearest the exact value.
    static let powersOfTen: [Double] = (0...308).map { Double("1e\($0)")! }

    /// Rounds half away from zero to `digits` decimals (negative: to tens, hundreds, …).
    static func round(_ x: Double, _ digits: Int64) -> Double {
        if digits == 0 || !x.isFinite { return x.rounded(.toNearestOrAwayFromZero) }
        if digits > 308 { return x }
        if digits < -308 { return x * 0 }
        let scale = powersOfTen[Int(Swift.abs(digits))]
        if digits > 0 {
            let y = x * scale
            return y.isFinite ? y.rounded(.toNearestOrAwayFromZero) / scale : x
        }
        return (x / scale).rounded(.toNearestOrAwayFromZero) * scale
    }

    /// Rounds half away from zero to a multiple of 10^-digits; non-negative digits leave ints as they are.
    static func round(_ x: Int64, _ digits: Int64) -> Int64 {
        if digits >= 0 { return x }
        if digits <= -19 { return 0 }
        var p: Int64 = 1
        for _ in 0..<Int(-digits) { p &*= 10 }
        let r = x % p
        let q = x - r
        let half = r < 0 ? 0 &- r : r
        guard half &* 2 >= p else { return q }
        return x < 0 ? q &- p : q &+ p
    }
}

enum Conversions {
    /// `string(x)`: ints and timestamps as integers, floats via ``FloatFormat``, bools as true/false.
    static func toString(_ d: Datum) -> Datum {
        switch d {
        case .scalar(let s):
            switch s {
            case .null, .string: return d
            case .int(let v): return .scalar(Scalar(String(v)))
            case .float(let v): return .scalar(Scalar(FloatFormat.string(v)))
            case .bool(let v): return .scalar(Scalar(v ? "true" : "false"))
            }
        case .column(let c):
            var out = StringArray()
            switch c.storage {
            case .string: return d
            case .int(let v):
                out.reserve(strings: v.count, bytes: v.count * 8)
                for i in 0..<v.count { appendDecimal(&out, v[i]) }
            case .float(let v):
                out.reserve(strings: v.count, bytes: v.count * 8)
                for x in v { out.append(FloatFormat.string(x)) }
            case .bool(let v):
                out.reserve(strings: v.count, bytes: v.count * 5)
                for x in v { out.append(x ? "true" : "false") }
            }
            return .column(Column(.string(out), validity: c.validity))
        }
    }

    /// Appends the decimal digits of `v` without building a String.
    @inline(__always)
    static func appendDecimal(_ out: inout StringArray, _ v: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var m = v.magnitude
            var i = buf.count
            repeat {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: m % 10) + 48
                m /= 10
            } while m != 0
            if v < 0 {
                i -= 1
                buf[i] = 45
            }
            out.append(bytes: UnsafeBufferPointer(rebasing: buf[i...]))
        }
    }

    static func toInt(_ d: Datum) -> Datum {
        let c = Functions.column(d)
        switch c.storage {
        case .int: return d
        case .bool(let v): return .column(Column(.int(Loops.map(v) { $0 ? 1 : 0 }), validity: c.validity))
        case .float(let v):
            let values = Loops.map(v) { x in fitsInt(x) ? Int64(x) : 0 }
            var validity = c.validity
            if v.contains(where: { !fitsInt($0) }) { validity = Loops.and(validity, Loops.map(v, fitsInt)) }
            return .column(Column(.int(values), validity: validity))
        case .string(let s):
            var values = [Int64](repeating: 0, count: s.count)
            var valid = c.validity ?? [Bool](repeating: true, count: s.count)
            for i in 0..<s.count where valid[i] {
                if let x = s.withBytes(i, parseInt) { values[i] = x } else { valid[i] = false }
            }
            return .column(Column(.int(values), validity: Loops.compact(valid)))
        }
    }

    /// True when `x` truncates to an Int64 (finite and in range).
    @inline(__always)
    static func fitsInt(_ x: Double) -> Bool { x >= -9.223372036854775808e18 && x < 9.223372036854775808e18 }

    /// An integer, or a number that truncates to one ("12", "-3", " 4 ", "1.5", "1e3"); nil otherwise.
    static func parseInt(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        var lo = 0, hi = raw.count
        while lo < hi, Strings.isSpace(raw[lo]) { lo += 1 }
        while hi > lo, Strings.isSpace(raw[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        var i = lo
        let negative = raw[i] == 45
        if raw[i] == 45 || raw[i] == 43 { i += 1 }
        var v: Int64 = 0
        var ok = i < hi
        while i < hi && ok {
            let c = raw[i]
            guard c >= 48 && c <= 57 else {
                ok = false
                break
            }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(c - 48)) : m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { ok = false }
            v = s
            i += 1
        }
        if ok { return v }
        guard let x = parseFloat(raw), fitsInt(x) else { return nil }
        return Int64(x)
    }

    /// A decimal number with surrounding ASCII whitespace allowed; nil otherwise.
    static func parseFloat(_ raw: UnsafeBufferPointer<UInt8>) -> Double? {
        var lo = 0, hi = raw.count
        while lo < hi, Strings.isSpace(raw[lo]) { lo += 1 }
        while hi > lo, Strings.isSpace(raw[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: raw[lo..<hi]), as: UTF8.self))
    }

    static func toFloat(_ d: Datum) -> Datum {
        let c = Functions.column(d)
        switch c.storage {
        case .float: return d
        case .int(let v): return .column(Column(.float(Loops.map(v) { Double($0) }), validity: c.validity))
        case .bool(let v): return .column(Column(.float(Loops.map(v) { $0 ? 1 : 0 }), validity: c.validity))
        case .string(let s):
            var values = [Double](repeating: 0, count: s.count)
            var valid = c.validity ?? [Bool](repeating: true, count: s.count)
            for i in 0..<s.count where valid[i] {
                if let x = s.withBytes(i, parseFloat) { values[i] = x } else { valid[i] = false }
            }
            return .column(Column(.float(values), validity: Loops.compact(valid)))
        }
    }

    /// "2024-01-01" (UTC) for epoch milliseconds.
    static func date(_ c: Column) -> Datum {
        guard case .int(let v) = c.storage else { preconditionFailure("date: expected ints") }
        var out = StringArray()
        out.reserve(strings: v.count, bytes: v.count * 10)
        for i in 0..<v.count {
            if c.isNull(i) { out.appendEmpty() } else { out.append(Timestamps.date(v[i])) }
        }
        return .column(Column(.string(out), validity: c.validity))
    }
}
