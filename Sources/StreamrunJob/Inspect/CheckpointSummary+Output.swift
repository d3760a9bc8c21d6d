import StreamrunCheckpoint
import StreamrunCore

extension CheckpointSummary {
    /// The human-readable summary: a header, then one table row per operator.
    ///
    /// ```
    /// checkpoint 17 of job "q5"
    ///   directory  state/chk-000017
    ///   taken      2024-01-01T10:00:02.250Z (UTC)
    ///   state      5 files, 1.4 KiB on disk
    ///   job        embedded (612 bytes of job.json)
    ///
    /// OPERATOR  TYPE         PARALLELISM  FILES   SIZE  STATE  KEYS  KEY GROUPS
    /// bids      source:file            1      1  175 B  124 B     -  -
    /// ```
    public var text: String {
        let files = operators.reduce(0) { $0 + $1.stateFiles }
        var lines = [
            "\(kind) \(manifest.checkpointID) of job \"\(manifest.job)\"",
            "  directory  \(directory)",
            "  taken      \(Timestamps.iso8601(manifest.timestampMs)) (UTC)",
            "  state      \(files) file\(files == 1 ? "" : "s"), \(Self.size(bytes)) on disk",
            "  job        " + (manifest.jobText.map { "embedded (\($0.utf8.count) bytes of job.json)" } ?? "not embedded"),
        ]
        for (id, w) in manifest.watermarks.sorted(by: { $0.key < $1.key }) {
            lines.append("  watermark  \(id): \(w == .min ? "none" : Timestamps.iso8601(w.milliseconds))")
        }
        lines.append("")
        let header = ["OPERATOR", "TYPE", "PARALLELISM", "FILES", "SIZE", "STATE", "KEYS", "KEY GROUPS"]
        let rows = operators.map { op in
            [op.id, op.type, String(op.parallelism), String(op.stateFiles),
             op.stateFiles == 0 ? "-" : Self.size(op.bytes), op.stateFiles == 0 ? "-" : Self.size(Int64(op.stateBytes)),
             op.keys.map(String.init) ?? "-", op.keyGroups.isEmpty ? "-" : Self.ranges(op.keyGroups)]
        }
        let rightAligned: Set<Int> = [2, 3, 4, 5, 6]
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        for row in [header] + rows {
            let cells = row.enumerated().map { c, cell in
                if c == row.count - 1 { return cell }
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }
            lines.append(cells.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// The manifest and the computed sizes, as one JSON object.
    public var json: OrderedJSON {
        .object([
            ("directory", .string(directory)),
            ("kind", .string(kind)),
            ("bytes", .int(bytes)),
            ("operators", .array(operators.map { op in
                .object([("id", .string(op.id)), ("type", .string(op.type)), ("parallelism", .int(Int64(op.parallelism))),
                         ("stateFiles", .int(Int64(op.stateFiles))), ("bytes", .int(op.bytes)), ("stateBytes", .int(Int64(op.stateBytes))),
                         ("keyGroups", .array(op.keyGroups.map { .int(Int64($0)) })), ("keys", op.keys.map { .int(Int64($0)) } ?? .null)])
            })),
            ("manifest", Self.json(manifest)),
        ])
    }

    /// The manifest's members, in the order `_manifest.json` has them (sorted), without the checksum.
    static func json(_ m: CheckpointManifest) -> OrderedJSON {
        var members: [(String, OrderedJSON)] = [
            ("checkpointId", .int(m.checkpointID.value)), ("formatVersion", .int(Int64(m.formatVersion))), ("job", .string(m.job)),
        ]
        if let text = m.jobText { members.append(("jobText", .string(text))) }
        members += [
            ("operators", .array(m.operators.map { op in
                .object([("id", .string(op.id)), ("maxParallelism", .int(Int64(op.maxParallelism))),
                         ("parallelism", .int(Int64(op.parallelism))), ("type", .string(op.type))])
            })),
            ("sources", json(.object(m.sources))),
            ("stateFiles", .array(m.stateFiles.map { f in
                .object([("crc32c", .string(CRC32C.hex(f.crc32c))), ("operator", .string(f.operatorID)), ("path", .string(f.path)),
                         ("size", .int(f.size)), ("subtask", .int(Int64(f.subtask)))])
            })),
            ("timestampMs", .int(m.timestampMs)),
            ("watermarks", .object(m.watermarks.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value.milliseconds)) })),
        ]
        return .object(members)
    }

    static func json(_ v: ManifestValue) -> OrderedJSON {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(json))
        case .object(let d): return .object(d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }

    /// `3, 7, 12-15`.
    static func ranges(_ sorted: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? String(sorted[i]) : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    /// `812 B`, `1.4 KiB`, `3.0 MiB`: how every inspection command prints a size.
    public static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes) / 1024
        var u = 0
        while v >= 1024 && u < units.count - 1 {
            v /= 1024
            u += 1
        }
        let tenths = Int64((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[u])"
    }
}
