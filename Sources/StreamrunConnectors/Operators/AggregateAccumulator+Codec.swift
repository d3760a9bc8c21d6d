import StreamrunCheckpoint
import StreamrunCore

// The checkpoint encoding of accumulators (window state format version 1).
//
// An accumulator is a kind tag, then its fields:
//   0 count        varint n
//   1 sumInt       bool seen, varint sum
//   2 sumFloat     bool seen, double sum
//   3 avg          double sum, varint count
//   4 extreme      value?                       (min/max)
//   5 positioned   value?, varint time, varint seq   (first/last: event time and arrival tie-breaker)
//   6 distinct     count, then each member (a value), sorted by encoded bytes
// A value? is tag 0 (null/none), 1 int (varint), 2 float (double bits), 3 bool (bool), 4 string (bytes).
// Doubles are stored as bit patterns, so sums, NaNs and -0.0 round-trip exactly.

extension AggValue {
    /// The kind of value, for checking restored state against the aggregate's argument type.
    enum Kind: UInt8, Sendable {
        case int = 1, float = 2, bool = 3, string = 4
    }

    var kind: Kind {
        switch self {
        case .int: return .int
        case .float: return .float
        case .bool: return .bool
        case .string: return .string
        }
    }

    /// The kind of values of an argument of type `type`, nil when it is always null.
    static func kind(of type: FieldType?) -> Kind? {
        switch type {
        case .int?, .timestamp?: return .int
        case .float?: return .float
        case .bool?: return .bool
        case .string?: return .string
        case nil: return nil
        }
    }

    func write(to w: inout SnapshotWriter) {
        w.writeUInt8(kind.rawValue)
        switch self {
        case .int(let v): w.writeVarInt(v)
        case .float(let d): w.writeDouble(d)
        case .bool(let b): w.writeBool(b)
        case .string(let s): w.writeBytes(s)
        }
    }

    static func writeOptional(_ v: AggValue?, to w: inout SnapshotWriter) {
        if let v { v.write(to: &w) } else { w.writeUInt8(0) }
    }

    /// Reads a value written by ``writeOptional(_:to:)``; it must be nil or of kind `expected`.
    static func readV1(_ r: inout SnapshotReader, expected: Kind?, allowNull: Bool) throws(StreamrunError) -> AggValue? {
        let at = r.offset
        let tag = try r.readUInt8()
        if tag == 0 {
            guard allowNull else { throw r.fail("unexpected null value at offset \(at)") }
            return nil
        }
        guard let kind = Kind(rawValue: tag) else { throw r.fail("unknown value tag \(tag) at offset \(at)") }
        guard kind == expected else {
            throw r.fail("value at offset \(at) is \(kind) but the aggregate's argument is \(expected.map { "\($0)" } ?? "always null")")
        }
        switch kind {
        case .int: return .int(try r.readVarInt())
        case .float: return .float(try r.readDouble())
        case .bool: return .bool(try r.readBool())
        case .string: return .string(try r.readBytes())
        }
    }
}

extension Accumulator {
    /// The kind tag written before the accumulator's fields.
    var tag: UInt8 {
        switch self {
        case .count: return 0
        case .sumInt: return 1
        case .sumFloat: return 2
        case .avg: return 3
        case .extreme: return 4
        case .positioned: return 5
        case .distinct: return 6
        }
    }

    func write(to w: inout SnapshotWriter) {
        switch self {
        // The common accumulators in one append each (see SnapshotWriter.writePacked).
        case .count(let n):
            w.writePacked { p in
                p.writeUInt8(tag)
                p.writeVarInt(n)
            }
        case .sumInt(let s, let seen):
            w.writePacked { p in
                p.writeUInt8(tag)
                p.writeUInt8(seen ? 1 : 0)
                p.writeVarInt(s)
            }
        case .sumFloat(let s, let seen):
            w.writeUInt8(tag)
            w.writeBool(seen)
            w.writeDouble(s)
        case .avg(let s, let n):
            w.writeUInt8(tag)
            w.writeDouble(s)
            w.writeVarInt(n)
        case .extreme(let v):
            w.writeUInt8(tag)
            AggValue.writeOptional(v, to: &w)
        case .positioned(let v, let time, let seq):
            w.writeUInt8(tag)
            AggValue.writeOptional(v, to: &w)
            w.writeVarInt(time)
            w.writeVarInt(seq)
        case .distinct(let set):
            w.writeUInt8(tag)
            // Set order depends on the process's hash seed: sort for deterministic bytes.
            var members: [[UInt8]] = set.map { v in
                var m = SnapshotWriter()
                v.write(to: &m)
                return m.bytes
            }
            members.sort { $0.lexicographicallyPrecedes($1) }
            w.writeCount(members.count)
            for m in members { w.writeRaw(m) }
        }
    }
}

extension Aggregator {
    /// Reads one accumulator (format version 1) and checks that it is the kind this aggregate keeps,
    /// with values of its argument's type, so restored state can never trip a precondition later.
    func readAccumulatorV1(_ r: inout SnapshotReader) throws(StreamrunError) -> Accumulator {
        let at = r.offset
        let tag = try r.readUInt8()
        let expected = initial
        guard tag == expected.tag else {
            throw r.fail("accumulator at offset \(at) has kind \(tag), but \(function.rawValue) keeps kind \(expected.tag)")
        }
        let kind = AggValue.kind(of: argument?.type)
        switch expected {
        case .count:
            let n = try r.readVarInt()
            guard n >= 0 else { throw r.fail("negative count \(n) at offset \(at)") }
            return .count(n)
        case .sumInt:
            let seen = try r.readBool()
            return .sumInt(try r.readVarInt(), seen: seen)
        case .sumFloat:
            let seen = try r.readBool()
            return .sumFloat(try r.readDouble(), seen: seen)
        case .avg:
            let sum = try r.readDouble()
            let n = try r.readVarInt()
            guard n >= 0 else { throw r.fail("negative avg count \(n) at offset \(at)") }
            return .avg(sum: sum, count: n)
        case .extreme:
            return .extreme(try AggValue.readV1(&r, expected: kind, allowNull: true))
        case .positioned:
            let v = try AggValue.readV1(&r, expected: kind, allowNull: true)
            let time = try r.readVarInt()
            return .positioned(v, time: time, seq: try r.readVarInt())
        case .distinct:
            // Float members are stored by their canonical bits, as ints.
            let memberKind: AggValue.Kind? = kind == .float ? .int : kind
            let n = try r.readCount()
            var set = Set<AggValue>(minimumCapacity: n)
            for _ in 0..<n {
                let m = try AggValue.readV1(&r, expected: memberKind, allowNull: false)!
                guard set.insert(m).inserted else { throw r.fail("count_distinct set at offset \(at) repeats a member") }
            }
            return .distinct(set)
        }
    }
}
