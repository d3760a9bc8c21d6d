/// Key groups: the unit of keyed state and of keyed partitioning (Flink's KeyGroupRangeAssignment).
///
/// A key hashes to one of `maxParallelism` key groups (default 128); subtask `i` of `p` owns the
/// contiguous range of groups `[i*max/p, (i+1)*max/p)`. Because the group of a key never depends on
/// the parallelism, state can later be redistributed by moving whole groups.
public enum KeyGroups {
    public static let defaultMaxParallelism = 128

    /// The key group of a key hash.
    @inlinable public static func group(hash: UInt64, maxParallelism: Int) -> Int {
        Int(hash % UInt64(maxParallelism))
    }

    /// The subtask that owns `group` at `parallelism`.
    @inlinable public static func subtask(group: Int, maxParallelism: Int, parallelism: Int) -> Int {
        group * parallelism / maxParallelism
    }

    /// The key groups subtask `index` owns at `parallelism`.
    public static func range(subtask index: Int, maxParallelism: Int, parallelism: Int) -> Range<Int> {
        let start = (index * maxParallelism + parallelism - 1) / parallelism
        let end = ((index + 1) * maxParallelism + parallelism - 1) / parallelism
        return start..<end
    }
}

/// A stable 64-bit hash (FNV-1a over bytes, then a murmur3 finalizer), identical on every run and
/// platform. Swift's `Hasher` is seeded per process and must never decide where a key goes.
public struct StableHash: Sendable {
    public var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inlinable public mutating func combine(byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    @inlinable public mutating func combine(_ v: UInt64) {
        var x = v
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }

    @inlinable public mutating func combine(bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { combine(byte: b) }
        combine(byte: 0xff)
    }

    /// Marks a null, distinct from every value.
    @inlinable public mutating func combineNull() { combine(byte: 0xfe); combine(byte: 0x00) }

    @inlinable public var finalized: UInt64 {
        var h = state
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
