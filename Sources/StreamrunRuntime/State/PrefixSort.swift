/// Sorting (prefix, position) pairs by prefix: a least-significant-digit radix sort over the bytes
/// of the prefix that differ, stable, so equal prefixes keep their input order.
///
/// Checkpoints sort every key of every key group at every checkpoint; keys usually differ only in
/// their low bytes (ids, timestamps), so this takes two or three linear passes where a comparison
/// sort takes `log n` of them.
public enum PrefixSort {
    /// Sorts `pairs` by `prefix`, stably; `scratch` is reused between calls.
    @inlinable public static func sort(_ pairs: inout [(prefix: UInt64, position: Int32)],
                                       scratch: inout [(prefix: UInt64, position: Int32)]) {
        let n = pairs.count
        guard n > 1 else { return }
        if n < 64 {
            // Insertion sort: stable, and cheaper than counting digits for a few elements.
            for i in 1..<n {
                let x = pairs[i]
                var j = i
                while j > 0 && pairs[j - 1].prefix > x.prefix {
                    pairs[j] = pairs[j - 1]
                    j -= 1
                }
                pairs[j] = x
            }
            return
        }
        // One pass counts every byte position's digits; positions where all prefixes agree are skipped.
        var counts = [Int](repeating: 0, count: 8 * 256)
        counts.withUnsafeMutableBufferPointer { c in
            for p in pairs {
                var v = p.prefix
                for d in 0..<8 {
                    c[d &* 256 &+ Int(v & 0xFF)] &+= 1
                    v >>= 8
                }
            }
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: pairs)
        for d in 0..<8 {
            let base = d * 256
            let first = Int((pairs[0].prefix >> UInt64(8 * d)) & 0xFF)
            if counts[base + first] == n { continue }
            var offsets = [Int](repeating: 0, count: 256)
            var sum = 0
            for b in 0..<256 {
                offsets[b] = sum
                sum += counts[base + b]
            }
            pairs.withUnsafeBufferPointer { src in
                scratch.withUnsafeMutableBufferPointer { dst in
                    offsets.withUnsafeMutableBufferPointer { o in
                        for p in src {
                            let b = Int((p.prefix >> UInt64(8 * d)) & 0xFF)
                            dst[o[b]] = p
                            o[b] &+= 1
                        }
                    }
                }
            }
            swap(&pairs, &scratch)
        }
    }
}
