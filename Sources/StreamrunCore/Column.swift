/// One column of a ``RecordBatch``: typed storage plus an optional validity mask.
///
/// `validity == nil` means every slot is valid; otherwise `validity[i] == false` marks a null.
/// A null slot still holds a placeholder (0, 0.0, false or the empty string) so storage stays dense.
public struct Column: Sendable, Hashable {
    public enum Storage: Sendable, Hashable {
        case int([Int64])
        case float([Double])
        case bool([Bool])
        case string(StringArray)
    }

    public var storage: Storage
    public var validity: [Bool]?

    public init(_ storage: Storage, validity: [Bool]? = nil) {
        self.storage = storage
        self.validity = validity
    }

    public var count: Int {
        switch storage {
        case .int(let a): return a.count
        case .float(let a): return a.count
        case .bool(let a): return a.count
        case .string(let a): return a.count
        }
    }

    @inlinable public func isNull(_ i: Int) -> Bool {
        if let v = validity { return !v[i] }
        return false
    }

    public var hasNulls: Bool { validity.map { $0.contains(false) } ?? false }

    /// An empty column of the storage that `type` uses.
    public static func empty(_ type: FieldType, capacity: Int = 0) -> Column {
        switch type {
        case .int, .timestamp:
            var a: [Int64] = []
            a.reserveCapacity(capacity)
            return Column(.int(a))
        case .float:
            var a: [Double] = []
            a.reserveCapacity(capacity)
            return Column(.float(a))
        case .bool:
            var a: [Bool] = []
            a.reserveCapacity(capacity)
            return Column(.bool(a))
        case .string:
            var s = StringArray()
            s.reserve(strings: capacity, bytes: capacity * 8)
            return Column(.string(s))
        }
    }

    /// A column of `count` nulls.
    public static func nulls(_ type: FieldType, count: Int) -> Column {
        let validity = [Bool](repeating: false, count: count)
        switch type {
        case .int, .timestamp: return Column(.int(.init(repeating: 0, count: count)), validity: validity)
        case .float: return Column(.float(.init(repeating: 0, count: count)), validity: validity)
        case .bool: return Column(.bool(.init(repeating: false, count: count)), validity: validity)
        case .string:
            return Column(.string(StringArray(bytes: [], offsets: .init(repeating: 0, count: count + 1))), validity: validity)
        }
    }

    /// The value at `i`, typed by `type` (which distinguishes `timestamp` from `int`). Cold path.
    public func value(at i: Int, as type: FieldType) -> Value {
        if isNull(i) { return .null }
        switch storage {
        case .int(let a): return type == .timestamp ? .timestamp(a[i]) : .int(a[i])
        case .float(let a): return .float(a[i])
        case .bool(let a): return .bool(a[i])
        case .string(let a): return .string(a[i])
        }
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> Column {
        let v = validity.map { val in indices.map { val[Int($0)] } }
        switch storage {
        case .int(let a): return Column(.int(indices.map { a[Int($0)] }), validity: v)
        case .float(let a): return Column(.float(indices.map { a[Int($0)] }), validity: v)
        case .bool(let a): return Column(.bool(indices.map { a[Int($0)] }), validity: v)
        case .string(let a):
            var out = StringArray()
            out.reserve(strings: indices.count, bytes: a.bytes.count * indices.count / max(a.count, 1))
            for i in indices { out.append(from: a, at: Int(i)) }
            return Column(.string(out), validity: v)
        }
    }

    /// Appends row `i` of `other` (which must have the same storage kind).
    public mutating func append(from other: Column, at i: Int) {
        let n = count
        let null = other.isNull(i)
        if null && validity == nil { validity = [Bool](repeating: true, count: n) }
        validity?.append(!null)
        switch (storage, other.storage) {
        case (.int(var a), .int(let b)):
            storage = .int([])
            a.append(b[i])
            storage = .int(a)
        case (.float(var a), .float(let b)):
            storage = .float([])
            a.append(b[i])
            storage = .float(a)
        case (.bool(var a), .bool(let b)):
            storage = .bool([])
            a.append(b[i])
            storage = .bool(a)
        case (.string(var a), .string(let b)):
            storage = .string(StringArray())
            a.append(from: b, at: i)
            storage = .string(a)
        default:
            preconditionFailure("Column.append(from:at:): storage kinds differ")
        }
    }
}
