import StreamrunCore

/// The canonical encoding of a key: type-tagged bytes that compare, byte by byte, like the key.
///
/// Each field is a tag byte then its payload:
/// - `0x00` null (no payload)
/// - `0x01` int and `0x05` timestamp: 8 bytes big-endian with the sign bit flipped
/// - `0x02` float: 8 bytes, an order-preserving transform of the IEEE bits (`-0.0` is `0.0`, as in
///   ``RecordBatch/keyHashes(_:)``)
/// - `0x03` string: the UTF-8 bytes with `0x00` escaped as `0x00 0xFF`, then a `0x00 0x00` terminator
/// - `0x04` bool: `0x00` or `0x01`
///
/// Two keys are equal exactly when their encodings are, and the bytewise order of encodings is the
/// key order used for deterministic output (nulls first, numbers by value, strings bytewise).
public enum KeyCodec {
    public static let nullTag: UInt8 = 0x00
    public static let intTag: UInt8 = 0x01
    public static let floatTag: UInt8 = 0x02
    public static let stringTag: UInt8 = 0x03
    public static let boolTag: UInt8 = 0x04
    public static let timestampTag: UInt8 = 0x05

    /// Appends the encoding of row `row` of `column` (of type `type`) to `out`.
    @inlinable public static func append(_ column: Column, row: Int, type: FieldType, to out: inout [UInt8]) {
        if column.isNull(row) {
            out.append(nullTag)
            return
        }
        switch column.storage {
        case .int(let a):
            out.append(type == .timestamp ? timestampTag : intTag)
            appendBigEndian(UInt64(bitPattern: a[row]) ^ (1 << 63), to: &out)
        case .float(let a):
            out.append(floatTag)
            appendBigEndian(orderedBits(a[row]), to: &out)
        case .bool(let a):
            out.append(boolTag)
            out.append(a[row] ? 1 : 0)
        case .string(let s):
            out.append(stringTag)
            s.withBytes(row) { bytes in
                for b in bytes {
                    out.append(b)
                    if b == 0 { out.append(0xFF) }
                }
            }
            out.append(0)
            out.append(0)
        }
    }

    /// Appends the encoding of one value (cold path: tests and tools).
    public static func append(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(nullTag)
        case .int(let v):
            out.append(intTag)
            appendBigEndian(UInt64(bitPattern: v) ^ (1 << 63), to: &out)
        case .timestamp(let v):
            out.append(timestampTag)
            appendBigEndian(UInt64(bitPattern: v) ^ (1 << 63), to: &out)
        case .float(let d):
            out.append(floatTag)
            appendBigEndian(orderedBits(d), to: &out)
        case .bool(let b):
            out.append(boolTag)
            out.append(b ? 1 : 0)
        case .string(let s):
            out.append(stringTag)
            for b in s.utf8 {
                out.append(b)
                if b == 0 { out.append(0xFF) }
            }
            out.append(0)
            out.append(0)
        }
    }

    /// The encoding of a whole key (cold path).
    public static func encode(_ values: [Value]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { append(v, to: &out) }
        return out
    }

    /// Decodes an encoding back into values, one per field.
    ///
    /// - Important: `bytes` must be an encoding made by this type; malformed input traps.
    public static func decode(_ bytes: [UInt8]) -> [Value] {
        var values: [Value] = []
        var i = 0
        while i < bytes.count {
            let tag = bytes[i]
            i += 1
            switch tag {
            case nullTag: values.append(.null)
            case intTag, timestampTag:
                let v = Int64(bitPattern: readBigEndian(bytes, at: i) ^ (1 << 63))
                i += 8
                values.append(tag == intTag ? .int(v) : .timestamp(v))
            case floatTag:
                values.append(.float(fromOrderedBits(readBigEndian(bytes, at: i))))
                i += 8
            case boolTag:
                values.append(.bool(bytes[i] != 0))
                i += 1
            case stringTag:
                let (s, next) = readString(bytes, at: i)
                values.append(.string(String(decoding: s, as: UTF8.self)))
                i = next
            default:
                preconditionFailure("KeyCodec.decode: unknown tag \(tag)")
            }
        }
        return values
    }

    /// Appends the fields of an encoded key to `builder` columns `first`, `first + 1`, … without
    /// building `Value`s for numbers.
    public static func appendDecoded(_ bytes: [UInt8], to builder: inout BatchBuilder, firstColumn first: Int) {
        var i = 0
        var c = first
        while i < bytes.count {
            let tag = bytes[i]
            i += 1
            switch tag {
            case nullTag: builder.appendNull(c)
            case intTag, timestampTag:
                builder.appendInt(c, Int64(bitPattern: readBigEndian(bytes, at: i) ^ (1 << 63)))
                i += 8
            case floatTag:
                builder.appendFloat(c, fromOrderedBits(readBigEndian(bytes, at: i)))
                i += 8
            case boolTag:
                builder.appendBool(c, bytes[i] != 0)
                i += 1
            case stringTag:
                let (s, next) = readString(bytes, at: i)
                builder.appendString(c, s)
                i = next
            default:
                preconditionFailure("KeyCodec.appendDecoded: unknown tag \(tag)")
            }
            c += 1
        }
    }

    @inlinable static func appendBigEndian(_ v: UInt64, to out: inout [UInt8]) {
        var shift: UInt64 = 56
        for _ in 0..<8 {
            out.append(UInt8(truncatingIfNeeded: v >> shift))
            shift &-= 8
        }
    }

    static func readBigEndian(_ bytes: [UInt8], at i: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(bytes[i + k]) }
        return v
    }

    /// Float bits that sort like the floats (negative numbers reversed below positive ones).
    @inlinable static func orderedBits(_ d: Double) -> UInt64 {
        let bits = (d == 0 ? 0.0 : d).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    static func fromOrderedBits(_ o: UInt64) -> Double {
        Double(bitPattern: o & (1 << 63) != 0 ? o & ~(1 << 63) : ~o)
    }

    static func readString(_ bytes: [UInt8], at start: Int) -> ([UInt8], Int) {
        var s: [UInt8] = []
        var i = start
        while true {
            let b = bytes[i]
            if b == 0 {
                if bytes[i + 1] == 0xFF {
                    s.append(0)
                    i += 2
                    continue
                }
                return (s, i + 2)
            }
            s.append(b)
            i += 1
        }
    }
}
