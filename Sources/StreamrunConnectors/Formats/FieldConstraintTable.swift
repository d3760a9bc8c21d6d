import StreamrunCore
import StreamrunPlan

/// The owner of a source's ``FieldChecks``: its buffers, and the names, constraints and message
/// parts that only a bad record or a pattern needs. Immutable after `init`, hence safe to share
/// between decoder copies on any thread.
final class FieldConstraintTable: @unchecked Sendable {
    let names: [String]
    let constraints: [FieldConstraints?]
    let timestampPatterns: [TimestampPattern?]
    /// `enum` as messages list it: `"Apple", "Google"`.
    let allowedText: [String]
    private let buffers: [UnsafeMutableRawPointer]
    /// Builds the checks over the buffers with an unretained reference to the table (which `init` cannot
    /// take of itself).
    private let makeChecks: (FieldConstraintTable) -> FieldChecks

    /// - Parameter constraints: aligned with `schema.fields`; empty or shorter means none.
    init(_ schema: Schema, _ constraints: [FieldConstraints?]) {
        let count = schema.count
        names = schema.names
        let all = (0..<count).map { $0 < constraints.count ? constraints[$0] : nil }
        self.constraints = all
        var rules: [UInt8] = [], intMin: [Int64] = [], intMax: [Int64] = [], floatMin: [Double] = [], floatMax: [Double] = []
        var minLength: [Int] = [], maxLength: [Int] = [], kinds: [UInt8] = [], patterns: [TimestampPattern?] = []
        var starts: [Int] = [], counts: [Int] = [], ints: [Int64] = [], floats: [Double] = []
        var stringStart: [Int] = [], stringLength: [Int] = [], bytes: [UInt8] = [], texts: [String] = []
        typealias Rule = FieldChecks.Rule
        typealias Kind = FieldChecks.FormatKind
        for c in 0..<count {
            let k = all[c]
            var bits: UInt8 = 0
            if k?.min != nil || k?.max != nil { bits |= Rule.bounds }
            if k?.allowed != nil { bits |= Rule.allowed }
            if k?.minLength != nil || k?.maxLength != nil { bits |= Rule.length }
            if k?.pattern != nil { bits |= Rule.pattern }
            if k?.nullable == false { bits |= Rule.notNull }
            rules.append(bits)
            intMin.append(Self.int(k?.min) ?? .min)
            intMax.append(Self.int(k?.max) ?? .max)
            floatMin.append(Self.float(k?.min) ?? -.infinity)
            floatMax.append(Self.float(k?.max) ?? .infinity)
            minLength.append(k?.minLength ?? 0)
            maxLength.append(k?.maxLength ?? .max)
            switch k?.format {
            case nil: kinds.append(Kind.none)
            case .epochMillis?: kinds.append(Kind.epochMillis)
            case .epochSeconds?: kinds.append(Kind.epochSeconds)
            case .iso8601?: kinds.append(Kind.iso8601)
            case .pattern?: kinds.append(Kind.pattern)
            }
            if case .pattern(let p)? = k?.format { patterns.append(p) } else { patterns.append(nil) }
            let allowed = k?.allowed ?? []
            switch schema[c].type {
            case .float: starts.append(floats.count)
            case .string: starts.append(stringStart.count)
            default: starts.append(ints.count)
            }
            counts.append(allowed.count)
            for v in allowed {
                switch v {
                case .int(let x), .timestamp(let x): ints.append(x)
                case .bool(let b): ints.append(b ? 1 : 0)
                case .float(let x): floats.append(x)
                case .string(let s):
                    stringStart.append(bytes.count)
                    stringLength.append(s.utf8.count)
                    bytes += s.utf8
                case .null: break
                }
            }
            let shown = allowed.prefix(10).map { FieldChecks.show($0) }.joined(separator: ", ")
            texts.append(allowed.count > 10 ? shown + ", … (\(allowed.count) values)" : shown)
        }
        timestampPatterns = patterns
        allowedText = texts
        var buffers: [UnsafeMutableRawPointer] = []
        func pinned<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
            p.initialize(from: values, count: values.count)
            buffers.append(UnsafeMutableRawPointer(p))
            return p
        }
        let checks = (
            rules: pinned(rules), intMin: pinned(intMin), intMax: pinned(intMax), floatMin: pinned(floatMin),
            floatMax: pinned(floatMax), minLength: pinned(minLength), maxLength: pinned(maxLength), formatKind: pinned(kinds),
            allowedStart: pinned(starts), allowedCount: pinned(counts), allowedInts: pinned(ints),
            allowedFloats: pinned(floats), stringStart: pinned(stringStart), stringLength: pinned(stringLength),
            allowedBytes: pinned(bytes)
        )
        self.buffers = buffers
        makeChecks = { table in
            FieldChecks(rules: checks.rules, intMin: checks.intMin, intMax: checks.intMax, floatMin: checks.floatMin,
                        floatMax: checks.floatMax, minLength: checks.minLength, maxLength: checks.maxLength,
                        formatKind: checks.formatKind, allowedStart: checks.allowedStart, allowedCount: checks.allowedCount,
                        allowedInts: checks.allowedInts, allowedFloats: checks.allowedFloats, stringStart: checks.stringStart,
                        stringLength: checks.stringLength, allowedBytes: checks.allowedBytes,
                        table: Unmanaged.passUnretained(table))
        }
    }

    deinit {
        for b in buffers { b.deallocate() }
    }

    /// The checks over this table's buffers; valid while this table lives.
    var checks: FieldChecks { makeChecks(self) }

    static func int(_ b: FieldConstraints.Bound?) -> Int64? {
        switch b?.value {
        case .int(let v)?, .timestamp(let v)?: return v
        default: return nil
        }
    }

    static func float(_ b: FieldConstraints.Bound?) -> Double? {
        if case .float(let v)? = b?.value { return v }
        return nil
    }
}
