import StreamrunCore

/// Version 1 of the state file content. Never change it: add `StateFileV2` instead.
///
/// ```
/// magic            4 bytes   "SRSN"
/// version          u16 LE    1
/// operatorID       string    LEB128 length + UTF-8
/// subtask          u32 LE
/// parallelism      u32 LE
/// maxParallelism   u32 LE
/// sectionCount     LEB128
/// section table    sectionCount × entry, in order:
///                    kind u8 (0 = key group, 1 = named)
///                    kind 0: keyGroup u32 LE | kind 1: name string
///                    length LEB128 (payload bytes)
/// payloads         the sections' bytes, concatenated in table order
/// crc32c           u32 LE    CRC-32C of every byte above, from the magic on
/// ```
///
/// Key-group sections come first, in ascending key group; named sections follow, sorted by
/// name (byte order). The decoder rejects duplicates, out-of-range values and trailing bytes.
enum StateFileV1 {
    static let kindKeyGroup: UInt8 = 0
    static let kindNamed: UInt8 = 1

    /// Appends the content of `s` to `w` (which is normally empty).
    static func encode(_ s: OperatorSnapshot, into w: inout SnapshotWriter) {
        let groups = s.keyGroups.sorted { $0.key < $1.key }
        let named = s.named.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        let start = w.count
        w.writeRaw(StateFile.magic)
        w.writeUInt16(1)
        w.writeString(s.operatorID)
        w.writeUInt32(UInt32(s.subtask))
        w.writeUInt32(UInt32(s.parallelism))
        w.writeUInt32(UInt32(s.maxParallelism))
        w.writeCount(groups.count + named.count)
        for (g, bytes) in groups {
            w.writeUInt8(kindKeyGroup)
            w.writeUInt32(UInt32(g))
            w.writeCount(bytes.count)
        }
        for (name, bytes) in named {
            w.writeUInt8(kindNamed)
            w.writeString(name)
            w.writeCount(bytes.count)
        }
        for (_, bytes) in groups { w.writeRaw(bytes) }
        for (_, bytes) in named { w.writeRaw(bytes) }
        let crc = w.withBytes { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[start...])) }
        w.writeUInt32(crc)
    }

    static func decode(_ content: [UInt8]) throws(StreamrunError) -> OperatorSnapshot {
        // magic (4) + version (2) + crc (4) is the least a file can be.
        guard content.count >= 10 else { throw .corrupt("state file is truncated (\(content.count) bytes)") }
        let body = content.count - 4
        let stored = UInt32(content[body]) | UInt32(content[body + 1]) << 8
            | UInt32(content[body + 2]) << 16 | UInt32(content[body + 3]) << 24
        let actual = CRC32C.checksum(content[0..<body])
        guard stored == actual else {
            throw .corrupt("state file checksum mismatch: stored crc32c \(CRC32C.hex(stored)), content has \(CRC32C.hex(actual))")
        }
        var r = SnapshotReader(content, end: body)
        _ = try r.readRaw(6)  // magic and version, checked by the caller
        let operatorID = try r.readString()
        let subtask = Int(try r.readUInt32())
        let parallelism = Int(try r.readUInt32())
        let maxParallelism = Int(try r.readUInt32())
        let count = try r.readCount()

        enum Key { case group(Int), name(String) }
        var table: [(Key, Int)] = []
        table.reserveCapacity(count)
        for _ in 0..<count {
            let at = r.offset
            switch try r.readUInt8() {
            case kindKeyGroup: table.append((.group(Int(try r.readUInt32())), try r.readCount()))
            case kindNamed: table.append((.name(try r.readString()), try r.readCount()))
            case let k: throw r.fail("unknown section kind \(k) at offset \(at)")
            }
        }
        var snapshot = OperatorSnapshot(operatorID: operatorID, subtask: subtask, parallelism: parallelism,
                                        maxParallelism: maxParallelism)
        for (key, length) in table {
            let bytes = try r.readRaw(length)
            switch key {
            case .group(let g):
                if snapshot.keyGroups.updateValue(bytes, forKey: g) != nil { throw r.fail("key group \(g) appears twice") }
            case .name(let n):
                if snapshot.named.updateValue(bytes, forKey: n) != nil { throw r.fail("section \"\(n)\" appears twice") }
            }
        }
        try r.expectEnd()
        if let p = snapshot.problem() { throw r.fail("inconsistent header: \(p)") }
        return snapshot
    }
}
