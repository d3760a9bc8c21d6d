/// SplitMix64 (Steele, Lea and Flood): a tiny, fast, seedable random source with good statistical
/// quality. The Nexmark generator derives its per-event streams from it, and every randomized test
/// uses it so that a printed seed replays a failure exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// The finalizer (Stafford's variant 13): a bijective mix of all 64 bits.
    @inlinable @inline(__always) public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}
