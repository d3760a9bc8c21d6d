import StreamrunCore

/// A small random stream derived from `(seed, counter)` alone: SplitMix64 started at a hash of both.
///
/// Every event draws from its own stream, so event `n` never depends on the events before it: any
/// subset can be generated in any order, on any thread, with identical results.
struct CounterRandom {
    static let gamma = SplitMix64.gamma
    var state: UInt64

    @inline(__always)
    init(seed: UInt64, counter: UInt64) {
        state = Self.mix(Self.mix(seed) &+ counter &* Self.gamma)
    }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 { SplitMix64.mix(x) }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// Uniform in `0..<bound` (Lemire's multiply-high; the bias is below 2^-40 for our bounds).
    @inline(__always)
    mutating func below(_ bound: UInt64) -> UInt64 {
        next().multipliedFullWidth(by: bound).high
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() &>> 11) * 0x1p-53
    }
}

/// 10^x computed with IEEE additions and multiplications only, so the result is the same on every
/// platform (libm's `pow` may differ in the last bit between systems).
enum PortableMath {
    /// 10^x for 0 ≤ x < 30.
    @inline(__always)
    static func pow10(_ x: Double) -> Double {
        let y = x * 3.321928094887362  // log2(10)
        let k = y.rounded(.down)
        let f = (y - k) * 0.6931471805599453  // ln 2, so 2^(y-k) = e^f with 0 ≤ f < ln 2
        // e^f by its Taylor series to f^16/16!, Horner form: relative error below 1e-15.
        // The bids' prices depend on every bit here: changing the evaluation changes the stream.
        var s = 1.0 / 20_922_789_888_000
        s = s * f + 1.0 / 1_307_674_368_000
        s = s * f + 1.0 / 87_178_291_200
        s = s * f + 1.0 / 6_227_020_800
        s = s * f + 1.0 / 479_001_600
        s = s * f + 1.0 / 39_916_800
        s = s * f + 1.0 / 3_628_800
        s = s * f + 1.0 / 362_880
        s = s * f + 1.0 / 40_320
        s = s * f + 1.0 / 5040
        s = s * f + 1.0 / 720
        s = s * f + 1.0 / 120
        s = s * f + 1.0 / 24
        s = s * f + 1.0 / 6
        s = s * f + 0.5
        s = s * f + 1
        s = s * f + 1
        return s * Double(sign: .plus, exponent: Int(k), significand: 1)
    }
}
