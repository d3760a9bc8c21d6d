/// A small random stream derived from `(seed, counter)` alone: SplitMix64 started at a hash of both.
///
/// Every event draws from its own stream, so event `n` never depends on the events before it: any
/// subset can be generated in any order, on any thread, with identical results.
struct CounterRandom {
    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    var state: UInt64

    @inline(__always)
    init(seed: UInt64, counter: UInt64) {
        state = Self.mix(Self.mix(seed) &+ counter &* Self.gamma)
    }

    /// SplitMix64's finalizer (Stafford's variant 13).
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }

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
        // e^f by its Taylor series to f^16/16! (relative error below 1e-15), evaluated with Estrin's
        // scheme: independent pairs combined by f^2, f^4, f^8, so the chain of dependent
        // multiplications stays short.
        let f2 = f * f, f4 = f2 * f2, f8 = f4 * f4
        let q0 = 1 + f, q1 = 0.5 + f * (1.0 / 6)
        let q2 = 1.0 / 24 + f * (1.0 / 120), q3 = 1.0 / 720 + f * (1.0 / 5040)
        let q4 = 1.0 / 40_320 + f * (1.0 / 362_880), q5 = 1.0 / 3_628_800 + f * (1.0 / 39_916_800)
        let q6 = 1.0 / 479_001_600 + f * (1.0 / 6_227_020_800), q7 = 1.0 / 87_178_291_200 + f * (1.0 / 1_307_674_368_000)
        let r0 = q0 + q1 * f2, r1 = q2 + q3 * f2, r2 = q4 + q5 * f2, r3 = q6 + q7 * f2
        let s = (r0 + r1 * f4) + (r2 + r3 * f4) * f8 + f8 * f8 * (1.0 / 20_922_789_888_000)
        return s * Double(sign: .plus, exponent: Int(k), significand: 1)
    }
}
