import StreamrunCheckpoint
import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// A byte range of one input file that one source subtask reads. A record belongs to the split in which
/// its first byte lies, so a split that starts mid-line skips to the next line and the line that crosses
/// its end is read to completion. Splits are a pure function of the file list, sizes and `splitBytes`,
/// never of the parallelism, so reading is deterministic and splits can be reassigned when rescaling.
public struct FileSplit: Sendable, Hashable {
    public var path: String
    public var start: Int64
    /// Exclusive end; `Int64.max` for a whole (or growing) file.
    public var end: Int64
    /// Position in the job-wide split list.
    public var index: Int
}

public enum FileSplits {
    /// The input files a source `path` names: a file, every non-hidden file below a directory, or the
    /// matches of a glob; sorted by path.
    public static func files(_ path: String, jsonPath: String) throws(StreamrunError) -> [String] {
        if path.utf8.contains(0) {
            throw StreamrunError(.inputNotFound, "a path must not contain a NUL character", location: jsonPath)
        }
        if path.contains(where: { "*?[".contains($0) }) {
            let matches = FileIO.glob(path).filter { !FileIO.isDirectory($0) }
            if matches.isEmpty { throw StreamrunError(.inputNotFound, "\"\(path)\" matches no files", location: jsonPath) }
            return matches
        }
        if FileIO.isDirectory(path) {
            var visited: Set<FileIdentity> = []
            return listRecursively(path, visited: &visited)
        }
        if !FileIO.exists(path) { throw StreamrunError(.inputNotFound, "no such file or directory: \(path)", location: jsonPath) }
        return [path]
    }

    /// Every non-hidden file below `dir`. A directory reached again (through a symbolic link that
    /// points back up) is listed once, so a link cycle cannot make the walk endless.
    static func listRecursively(_ dir: String, visited: inout Set<FileIdentity>) -> [String] {
        guard let id = FileIO.identity(dir), visited.insert(id).inserted else { return [] }
        var out: [String] = []
        for name in (FileIO.list(dir) ?? []) where !name.hasPrefix(".") && !name.hasPrefix("_") {
            let p = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if FileIO.isDirectory(p) { out += listRecursively(p, visited: &visited) } else { out.append(p) }
        }
        return out.sorted()
    }

    /// Splits for a source: JSONL files are cut into `splitBytes` ranges; CSV files (whose quoted fields
    /// may hold newlines) and followed files are read whole.
    public static func plan(files: [String], splittable: Bool, splitBytes: Int) -> [FileSplit] {
        var splits: [FileSplit] = []
        for f in files {
            let size = FileIO.fileSize(f) ?? 0
            if !splittable || size <= Int64(splitBytes) {
                splits.append(FileSplit(path: f, start: 0, end: .max, index: splits.count))
                continue
            }
            var start: Int64 = 0
            while start < size {
                let end = start + Int64(splitBytes)
                splits.append(FileSplit(path: f, start: start, end: end >= size ? .max : end, index: splits.count))
                start = end
            }
        }
        return splits
    }

    /// The splits subtask `subtask` of `parallelism` reads: split k goes to subtask k mod p.
    public static func assign(_ splits: [FileSplit], subtask: Int, parallelism: Int) -> [FileSplit] {
        splits.filter { $0.index % parallelism == subtask }
    }

    /// For followed paths, where files appear while the job runs and subtasks discover them at
    /// different moments: a file goes to the subtask its path hashes to, whatever else exists.
    public static func assignByPath(_ splits: [FileSplit], subtask: Int, parallelism: Int) -> [FileSplit] {
        splits.filter { split in
            var h = StableHash()
            var p = split.path
            p.withUTF8 { h.combine(bytes: $0) }
            return Int(h.finalized % UInt64(parallelism)) == subtask
        }
    }
}
