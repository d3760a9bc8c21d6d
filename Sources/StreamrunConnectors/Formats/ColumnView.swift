import StreamrunCore

/// Unsafe, retain-free read access to one column of a ``RecordBatch``, for the encoders' row loops.
///
/// Valid only inside ``ColumnView/with(_:_:_:)``, which keeps every column's storage pinned.
struct ColumnView {
    enum Kind { case int, float, bool, string }

    var kind: Kind
    /// Int64, Double or Bool values; for strings, the bytes (nil when there are none).
    var values: UnsafeRawPointer?
    /// String offsets: string `i` is `values[offsets[i] ..< offsets[i + 1]]`.
    var offsets: UnsafePointer<Int32>?
    /// nil when every row is valid.
    var validity: UnsafePointer<Bool>?

    @inline(__always) func isNull(_ row: Int) -> Bool {
        if let validity { return !validity[row] }
        return false
    }

    @inline(__always) func int(_ row: Int) -> Int64 { values.unsafelyUnwrapped.assumingMemoryBound(to: Int64.self)[row] }
    @inline(__always) func float(_ row: Int) -> Double { values.unsafelyUnwrapped.assumingMemoryBound(to: Double.self)[row] }
    @inline(__always) func bool(_ row: Int) -> Bool { values.unsafelyUnwrapped.assumingMemoryBound(to: Bool.self)[row] }

    @inline(__always) func string(_ row: Int) -> UnsafeBufferPointer<UInt8> {
        let offsets = self.offsets.unsafelyUnwrapped
        let lo = Int(offsets[row]), hi = Int(offsets[row &+ 1])
        guard let bytes = values else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: bytes.assumingMemoryBound(to: UInt8.self) + lo, count: hi &- lo)
    }

    /// Calls `body` with views of `batch.columns[i]` for each `i` in `indices`.
    static func with<R>(_ batch: RecordBatch, _ indices: [Int], _ body: ([ColumnView]) -> R) -> R {
        var views: [ColumnView] = []
        views.reserveCapacity(indices.count)
        return pin(batch, indices, 0, &views, body)
    }

    /// Pins column `indices[k]`, then the rest, recursively, so every pointer outlives `body`.
    private static func pin<R>(
        _ batch: RecordBatch, _ indices: [Int], _ k: Int, _ views: inout [ColumnView], _ body: ([ColumnView]) -> R
    ) -> R {
        if k == indices.count { return body(views) }
        let column = batch.columns[indices[k]]
        return withValidity(column.validity) { validity in
            switch column.storage {
            case .int(let a):
                return a.withUnsafeBufferPointer { b in
                    views.append(ColumnView(kind: .int, values: UnsafeRawPointer(b.baseAddress), validity: validity))
                    return pin(batch, indices, k + 1, &views, body)
                }
            case .float(let a):
                return a.withUnsafeBufferPointer { b in
                    views.append(ColumnView(kind: .float, values: UnsafeRawPointer(b.baseAddress), validity: validity))
                    return pin(batch, indices, k + 1, &views, body)
                }
            case .bool(let a):
                return a.withUnsafeBufferPointer { b in
                    views.append(ColumnView(kind: .bool, values: UnsafeRawPointer(b.baseAddress), validity: validity))
                    return pin(batch, indices, k + 1, &views, body)
                }
            case .string(let a):
                return a.bytes.withUnsafeBufferPointer { bytes in
                    a.offsets.withUnsafeBufferPointer { offsets in
                        views.append(ColumnView(kind: .string, values: UnsafeRawPointer(bytes.baseAddress),
                                                offsets: offsets.baseAddress, validity: validity))
                        return pin(batch, indices, k + 1, &views, body)
                    }
                }
            }
        }
    }

    private static func withValidity<R>(_ validity: [Bool]?, _ body: (UnsafePointer<Bool>?) -> R) -> R {
        guard let validity else { return body(nil) }
        return validity.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
