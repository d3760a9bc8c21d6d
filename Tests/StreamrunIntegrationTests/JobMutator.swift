import StreamrunCore

/// Mutates a job.json tree the way the hostile-user fuzzing of issue 11 did: keys deleted and
/// duplicated, values swapped between keys, huge, negative and zero numbers, long strings, deep
/// nesting (in JSON and in expressions), odd characters and wrong types. Deterministic for a seed.
struct JobMutator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[pick(items.count)] }

    static let numbers = ["9223372036854775807", "-9223372036854775808", "92233720368547758070", "0", "-1", "1e400",
                          "1e308", "1e-300", "0.5", "4294967296", "10000", "100000", "1024", "1025", "4097", "32769"]
    static let oddStrings = ["\u{0000}", "a\u{0000}b", "../../x", "..", ".", "/", "a/b", "", " ", " 1s", "10S", "01s", "1m30s",
                             "1h2m3s", "1s500ms", "106751991167d", "9223372036854775807ms", "0", "1ms", "é", "🙂", "\u{202E}",
                             "\n", "*", "[", "w.late", "bids.late", "'", "\"", "\\", "NaN", "-1", "1e9", "$", "_x", ".hidden"]
    /// Expressions that are deep trees: nested parentheses and calls, long chains, stacked unary operators.
    static let deepExpressions: [String] = [
        String(repeating: "(", count: 10_000) + "price" + String(repeating: ")", count: 10_000),
        String(repeating: "lower(", count: 5000) + "channel" + String(repeating: ")", count: 5000),
        "price" + String(repeating: " + price", count: 20_000) + " > 0",
        String(repeating: "!", count: 5000) + "true",
        String(repeating: "- ", count: 5000) + "price",
        String(repeating: "(", count: 65) + "price" + String(repeating: ")", count: 65),
        "price" + String(repeating: " + price", count: 999),
    ]

    /// Values at and just past the bounds validation sets, by key: about half of them validate, so
    /// some mutants get as far as a run.
    static let boundaries: [String: [FuzzJSON]] = [
        "parallelism": ["1", "3", "1024", "1025"].map { .number($0) },
        "maxParallelism": ["1", "32768", "32769"].map { .number($0) },
        "splits": ["1", "4096", "4097"].map { .number($0) },
        "count": ["0", "1", "9223372036854775807"].map { .number($0) },
        "seed": ["0", "9223372036854775807"].map { .number($0) },
        "maxRecordsPerSecond": ["0.001", "1000000000", "0.0009", "1000000001"].map { .number($0) },
        "size": ["1ms", "365d", "366d", "1m30s"].map { .string($0) },
        "gap": ["1ms", "365d", "366d", "1h2m3s"].map { .string($0) },
        "maxOutOfOrderness": ["0", "365d", "1s500ms", "8760h1ms"].map { .string($0) },
        "allowedLateness": ["0", "365d", "366d"].map { .string($0) },
        "splitSize": [.string("1KB"), .string("1TB"), .number("1023"), .number("1099511627777")],
        "id": [String(repeating: "i", count: 128), String(repeating: "i", count: 129)].map { .string($0) },
        "name": ["a.b-c_d", ".x", String(repeating: "n", count: 128)].map { .string($0) },
    ]

    /// Applies one random mutation to `job` and says what it did.
    mutating func mutate(_ job: inout FuzzJSON) -> String {
        let paths = job.paths
        let inner = Array(paths.dropFirst())
        switch pick(12) {
        case 0:  // delete a key
            let objects = paths.filter { if case .object(let m) = job[$0] { return !m.isEmpty } else { return false } }
            guard !objects.isEmpty else { return "nothing" }
            let p = pick(objects)
            guard case .object(var m) = job[p] else { return "nothing" }
            let k = pick(m.count)
            let key = m.remove(at: k).key
            job[p] = .object(m)
            return "delete \(key) at \(p)"
        case 1:  // duplicate a key (a strict parser must refuse it)
            let objects = paths.filter { if case .object(let m) = job[$0] { return !m.isEmpty } else { return false } }
            guard !objects.isEmpty else { return "nothing" }
            let p = pick(objects)
            guard case .object(var m) = job[p] else { return "nothing" }
            let member = m[pick(m.count)]
            m.append(member)
            job[p] = .object(m)
            return "duplicate key \(member.key) at \(p)"
        case 2:  // swap the values of two unrelated places
            guard inner.count >= 2 else { return "nothing" }
            let a = pick(inner), b = pick(inner)
            guard !a.starts(with: b), !b.starts(with: a) else { return "nothing" }
            let va = job[a]
            job[a] = job[b]
            job[b] = va
            return "swap \(a) and \(b)"
        case 3:
            let p = pick(inner)
            let n = pick(Self.numbers)
            job[p] = .number(n)
            return "number \(n) at \(p)"
        case 4:
            let p = pick(inner)
            let s = pick([String(repeating: "a", count: 70_000), String(repeating: "x", count: 129), String(repeating: "x", count: 128),
                          String(repeating: "word ", count: 2000)])
            job[p] = .string(s)
            return "long string (\(s.count)) at \(p)"
        case 5:
            let p = pick(inner)
            let s = pick(Self.oddStrings)
            job[p] = .string(s)
            return "odd string \(s.debugDescription) at \(p)"
        case 6:  // odd characters appended to an existing string
            let strings = inner.filter { if case .string = job[$0] { return true } else { return false } }
            guard !strings.isEmpty else { return "nothing" }
            let p = pick(strings)
            guard case .string(let s) = job[p] else { return "nothing" }
            let suffix = pick(["\u{0000}", "/..", " ", "S", "0", "é", "'", ")", "(", "\n", ".late"])
            job[p] = .string(s + suffix)
            return "append \(suffix.debugDescription) at \(p)"
        case 7:  // deep nesting: in the JSON itself, or in an expression
            let p = pick(inner)
            if pick(2) == 0 {
                var v = FuzzJSON.number("1")
                for _ in 0..<(250 + pick(20)) { v = pick(2) == 0 ? .array([v]) : .object([.init(key: "a", value: v)]) }
                job[p] = v
                return "deep JSON at \(p)"
            }
            let strings = inner.filter { if case .string = job[$0] { return true } else { return false } }
            let q = strings.isEmpty ? p : pick(strings)
            let e = pick(Self.deepExpressions)
            job[q] = .string(e)
            return "deep expression (\(e.count) chars) at \(q)"
        case 8:  // wrong type
            let p = pick(inner)
            let v = pick([FuzzJSON.array([]), .object([]), .bool(true), .null, .number("1"), .string("x")])
            job[p] = v
            return "wrong type \(v.text) at \(p)"
        case 9, 10:  // a value at or just past a bound
            var candidates: [(FuzzJSON.Path, [FuzzJSON])] = []
            for p in paths {
                guard case .object(let m) = job[p] else { continue }
                for (k, member) in m.enumerated() { if let values = Self.boundaries[member.key] { candidates.append((p + [k], values)) } }
            }
            guard !candidates.isEmpty else { return "nothing" }
            let (p, values) = pick(candidates)
            let v = pick(values)
            job[p] = v
            return "bound \(v.text.prefix(40)) at \(p)"
        default:  // duplicate an array element (duplicate ids, inputs listed twice)
            let arrays = paths.filter { if case .array(let a) = job[$0] { return !a.isEmpty } else { return false } }
            guard !arrays.isEmpty else { return "nothing" }
            let p = pick(arrays)
            guard case .array(var a) = job[p] else { return "nothing" }
            a.append(a[pick(a.count)])
            job[p] = .array(a)
            return "duplicate element at \(p)"
        }
    }
}
