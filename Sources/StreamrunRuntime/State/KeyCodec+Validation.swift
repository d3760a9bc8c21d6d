import StreamrunCore

extension KeyCodec {
    /// Why `bytes` is not the canonical encoding of a key with fields of `types`, or nil when it is.
    ///
    /// Checks what ``decode(_:)`` and ``appendDecoded(_:to:firstColumn:)`` assume without checking:
    /// one field per type, each with the tag of its type (or null), complete payloads, bools of 0 or 1,
    /// properly escaped and terminated strings of valid UTF-8. Restoring keys from a checkpoint
    /// validates with this first, so corrupt bytes become an error instead of a trap.
    public static func problem(in bytes: [UInt8], types: [FieldType]) -> String? {
        var i = 0
        for (f, type) in types.enumerated() {
            guard i < bytes.count else { return "key ends before field \(f) (\(type))" }
            let tag = bytes[i]
            i += 1
            if tag == nullTag { continue }
            switch (type, tag) {
            case (.int, intTag), (.timestamp, timestampTag), (.float, floatTag):
                guard bytes.count - i >= 8 else { return "key field \(f) (\(type)) is truncated" }
                i += 8
            case (.bool, boolTag):
                guard i < bytes.count else { return "key field \(f) (bool) is truncated" }
                guard bytes[i] <= 1 else { return "key field \(f) (bool) has byte \(bytes[i])" }
                i += 1
            case (.string, stringTag):
                var content: [UInt8] = []
                var closed = false
                while i < bytes.count {
                    let b = bytes[i]
                    if b != 0 {
                        content.append(b)
                        i += 1
                        continue
                    }
                    guard i + 1 < bytes.count else { break }
                    if bytes[i + 1] == 0xFF {
                        content.append(0)
                        i += 2
                        continue
                    }
                    guard bytes[i + 1] == 0 else { return "key field \(f) (string) has a bad escape 0x00 0x\(String(bytes[i + 1], radix: 16))" }
                    i += 2
                    closed = true
                    break
                }
                guard closed else { return "key field \(f) (string) is not terminated" }
                guard String(validating: content, as: UTF8.self) != nil else { return "key field \(f) (string) is not valid UTF-8" }
            default:
                return "key field \(f) should be \(type) but has tag \(tag)"
            }
        }
        if i != bytes.count { return "key has \(bytes.count - i) trailing byte(s) after \(types.count) field(s)" }
        return nil
    }
}
