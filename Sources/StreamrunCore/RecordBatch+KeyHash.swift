extension RecordBatch {
    /// A stable hash of the key columns `fields` for every row (see ``StableHash``).
    ///
    /// Keyed partitioning and keyed state both use this, so a key's group is the same everywhere.
    /// `-0.0` hashes like `0.0`; a null hashes differently from every value.
    public func keyHashes(_ fields: [Int]) -> [UInt64] {
        var hashers = [StableHash](repeating: StableHash(), count: count)
        for f in fields {
            let col = columns[f]
            switch col.storage {
            case .int(let a):
                for i in 0..<count { hashers[i].combine(UInt64(bitPattern: a[i])) }
            case .float(let a):
                for i in 0..<count { hashers[i].combine((a[i] == 0 ? 0 : a[i]).bitPattern) }
            case .bool(let a):
                for i in 0..<count { hashers[i].combine(byte: a[i] ? 1 : 0) }
            case .string(let s):
                s.bytes.withUnsafeBufferPointer { buf in
                    for i in 0..<count {
                        hashers[i].combine(bytes: UnsafeBufferPointer(rebasing: buf[s.range(i)]))
                    }
                }
            }
            if let v = col.validity {
                for i in 0..<count where !v[i] { hashers[i].combineNull() }
            }
        }
        return hashers.map(\.finalized)
    }
}
