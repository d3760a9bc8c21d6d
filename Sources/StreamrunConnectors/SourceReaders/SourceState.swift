import StreamrunCheckpoint
import StreamrunCore
import StreamrunRuntime

/// What a source subtask stores in a checkpoint: per split, where its next record starts and the
/// highest event time seen. Splits are stored whole (not per subtask), so a restore at another
/// parallelism reassigns them by the usual rule. Named section `"splits"`, format version 1.
struct SplitState: Sendable, Hashable {
    var index: Int
    var path: String
    var start: Int64
    var end: Int64
    /// File sources: byte offset of the next record. Generator: blocks done × block size + offset in block.
    var position: Int64
    var finished: Bool
    var maxEventTime: EventTime

    static let section = "splits"
    /// A file source subtask's round-robin position among its splits.
    static let cursorSection = "cursor"

    static func encodeCursor(_ c: Int) -> [UInt8] {
        var w = SnapshotWriter()
        w.writeUInt8(version)
        w.writeVarUInt(UInt64(c))
        return w.bytes
    }

    static func decodeCursor(_ bytes: [UInt8]?) throws(StreamrunError) -> Int? {
        guard let bytes else { return nil }
        var r = SnapshotReader(bytes, context: "source cursor")
        let v = try r.readUInt8()
        guard v == version else { throw r.fail("unsupported source state version \(v)") }
        let c = Int(try r.readVarUInt())
        try r.expectEnd()
        return c
    }
    static let version: UInt8 = 1

    static func encode(_ states: [SplitState]) -> [UInt8] {
        var w = SnapshotWriter()
        w.writeUInt8(version)
        w.writeVarUInt(UInt64(states.count))
        for s in states.sorted(by: { $0.index < $1.index }) {
            w.writeVarUInt(UInt64(s.index))
            w.writeString(s.path)
            w.writeVarInt(s.start)
            w.writeVarInt(s.end)
            w.writeVarInt(s.position)
            w.writeBool(s.finished)
            w.writeVarInt(s.maxEventTime.milliseconds)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(StreamrunError) -> [SplitState] {
        var r = SnapshotReader(bytes, context: "source splits")
        let v = try r.readUInt8()
        guard v == version else { throw r.fail("unsupported source state version \(v)") }
        let n = try r.readCount()
        var out: [SplitState] = []
        for _ in 0..<n {
            out.append(SplitState(index: Int(try r.readVarUInt()), path: try r.readString(), start: try r.readVarInt(),
                                  end: try r.readVarInt(), position: try r.readVarInt(), finished: try r.readBool(),
                                  maxEventTime: EventTime(milliseconds: try r.readVarInt())))
        }
        try r.expectEnd()
        return out
    }

    /// Every split stored by any old subtask (the named sections of all of them).
    static func union(_ named: [[String: [UInt8]]]) throws(StreamrunError) -> [SplitState] {
        var all: [SplitState] = []
        for n in named {
            if let b = n[section] { all += try decode(b) }
        }
        return all.sorted { $0.index < $1.index }
    }
}

/// Which side a file source subtask reads (``SourceFailover/Side``) and whether it had listed its
/// files yet, when either is not the usual (primary, listed): named section `"side"`, format
/// version 1 (`[version, side, listed]`). A checkpoint without it (every older one) is primary and listed.
struct SourceSideState: Sendable, Hashable {
    var side: SourceFailover.Side = .primary
    /// False while the first listing of the files kept failing: a restore lists them again.
    var listed = true

    static let section = "side"
    static let version: UInt8 = 1

    /// The section's bytes, or nil when it is not needed (primary and listed).
    var encoded: [UInt8]? {
        guard side != .primary || !listed else { return nil }
        var w = SnapshotWriter()
        w.writeUInt8(Self.version)
        w.writeUInt8(side.rawValue)
        w.writeBool(listed)
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]?) throws(StreamrunError) -> SourceSideState {
        guard let bytes else { return SourceSideState() }
        var r = SnapshotReader(bytes, context: "source side")
        let v = try r.readUInt8()
        guard v == version else { throw r.fail("unsupported source side version \(v)") }
        guard let side = SourceFailover.Side(rawValue: try r.readUInt8()) else { throw r.fail("unknown source side") }
        let listed = try r.readBool()
        try r.expectEnd()
        return SourceSideState(side: side, listed: listed)
    }
}

/// The directory a file source's `path` names files under, so a split can be named by its path
/// relative to it and continued under another root (a fallback that mirrors the primary): the path
/// itself for a file or directory, the part before the first wildcard's directory for a glob.
/// Purely textual: it holds for a path that is gone.
struct SourceRoot: Sendable, Hashable {
    let root: String

    init(path: String) {
        var p = path
        if let wildcard = p.firstIndex(where: { "*?[".contains($0) }) {
            p = p[..<wildcard].lastIndex(of: "/").map { String(p[..<$0]) } ?? ""
        }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        root = p
    }

    /// `path` relative to the root: "" for the root itself (a file source), else the rest after "root/".
    func relative(_ path: String) -> String {
        if path == root { return "" }
        let prefix = root == "/" ? "/" : root + "/"
        return !root.isEmpty && path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// The path under this root of a relative path from ``relative(_:)``.
    func absolute(_ relative: String) -> String {
        if relative.isEmpty { return root }
        if root.isEmpty || relative.hasPrefix("/") { return relative }
        return root == "/" ? "/" + relative : root + "/" + relative
    }
}
