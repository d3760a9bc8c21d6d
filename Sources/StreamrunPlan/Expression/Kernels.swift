import StreamrunCore

/// A typed kernel input: a whole array, or one value standing for every row.
enum Operand<T> {
    case array([T])
    case scalar(T)

    @inline(__always) subscript(i: Int) -> T {
        switch self {
        case .array(let a): return a[i]
        case .scalar(let v): return v
        }
    }
}

/// Tight loops shared by every kernel. `@inline(__always)` lets each call site specialize the loop
/// for its element types and inline the closure.
enum Loops {
    @inline(__always)
    static func map<A, R>(_ a: [A], _ f: (A) -> R) -> [R] {
        let n = a.count
        return a.withUnsafeBufferPointer { pa in
            [R](unsafeUninitializedCapacity: n) { out, k in
                for i in 0..<n { out[i] = f(pa[i]) }
                k = n
            }
        }
    }

    @inline(__always)
    static func map<A, B, R>(_ a: Operand<A>, _ b: Operand<B>, _ n: Int, _ f: (A, B) -> R) -> [R] {
        switch (a, b) {
        case (.array(let x), .array(let y)):
            return x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    [R](unsafeUninitializedCapacity: n) { out, k in
                        for i in 0..<n { out[i] = f(px[i], py[i]) }
                        k = n
                    }
                }
            }
        case (.array(let x), .scalar(let y)):
            return x.withUnsafeBufferPointer { px in
                [R](unsafeUninitializedCapacity: n) { out, k in
                    for i in 0..<n { out[i] = f(px[i], y) }
                    k = n
                }
            }
        case (.scalar(let x), .array(let y)):
            return y.withUnsafeBufferPointer { py in
                [R](unsafeUninitializedCapacity: n) { out, k in
                    for i in 0..<n { out[i] = f(x, py[i]) }
                    k = n
                }
            }
        case (.scalar(let x), .scalar(let y)):
            return [R](repeating: f(x, y), count: n)
        }
    }

    /// The AND of two validity masks (nil = all valid).
    static func and(_ a: [Bool]?, _ b: [Bool]?) -> [Bool]? {
        guard let a else { return b }
        guard let b else { return a }
        return map(.array(a), .array(b), a.count) { $0 && $1 }
    }

    /// A mask that is nil when every entry is true.
    static func compact(_ mask: [Bool]) -> [Bool]? {
        mask.withUnsafeBufferPointer { p in
            var all = true
            for v in p { all = all && v }
            return all ? nil : mask
        }
    }
}

/// Read access to a string column or a string scalar without copying: `view[i]` is row i's bytes.
struct StringView {
    let bytes: UnsafeBufferPointer<UInt8>
    let offsets: UnsafeBufferPointer<Int32>
    let isScalar: Bool

    @inline(__always) subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        if isScalar { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[Int(offsets[i])..<Int(offsets[i + 1])])
    }
}

enum StringOperand {
    case array(StringArray)
    case scalar([UInt8])

    @inline(__always)
    func withView<R>(_ body: (StringView) -> R) -> R {
        switch self {
        case .array(let s):
            return s.bytes.withUnsafeBufferPointer { b in
                s.offsets.withUnsafeBufferPointer { o in body(StringView(bytes: b, offsets: o, isScalar: false)) }
            }
        case .scalar(let b):
            return b.withUnsafeBufferPointer { p in
                body(StringView(bytes: p, offsets: UnsafeBufferPointer(start: nil, count: 0), isScalar: true))
            }
        }
    }
}

extension Datum {
    /// Int-stored input (int or timestamp); a null scalar reads as 0 (its validity says null).
    var ints: Operand<Int64> {
        switch self {
        case .column(let c):
            if case .int(let a) = c.storage { return .array(a) }
        case .scalar(.int(let v)): return .scalar(v)
        case .scalar(.null): return .scalar(0)
        default: break
        }
        preconditionFailure("expression kernel: expected int storage")
    }

    var floats: Operand<Double> {
        switch self {
        case .column(let c):
            if case .float(let a) = c.storage { return .array(a) }
        case .scalar(.float(let v)): return .scalar(v)
        case .scalar(.null): return .scalar(0)
        default: break
        }
        preconditionFailure("expression kernel: expected float storage")
    }

    var bools: Operand<Bool> {
        switch self {
        case .column(let c):
            if case .bool(let a) = c.storage { return .array(a) }
        case .scalar(.bool(let v)): return .scalar(v)
        case .scalar(.null): return .scalar(false)
        default: break
        }
        preconditionFailure("expression kernel: expected bool storage")
    }

    var strings: StringOperand {
        switch self {
        case .column(let c):
            if case .string(let a) = c.storage { return .array(a) }
        case .scalar(.string(let v)): return .scalar(v)
        case .scalar(.null): return .scalar([])
        default: break
        }
        preconditionFailure("expression kernel: expected string storage")
    }

    /// Which storage this input uses; nil for a null scalar.
    var storageKind: FieldType? {
        switch self {
        case .column(let c):
            switch c.storage {
            case .int: return .int
            case .float: return .float
            case .bool: return .bool
            case .string: return .string
            }
        case .scalar(let s):
            switch s {
            case .null: return nil
            case .int: return .int
            case .float: return .float
            case .bool: return .bool
            case .string: return .string
            }
        }
    }

    /// Per-row validity for `n` rows: nil when every row is valid, all false for a null scalar.
    func validMask(_ n: Int) -> [Bool]? {
        switch self {
        case .scalar(.null): return [Bool](repeating: false, count: n)
        case .scalar: return nil
        case .column(let c): return c.validity
        }
    }
}
