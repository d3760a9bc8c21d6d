import StreamrunIO

/// The one place that builds sink file names. Names depend only on the sink id, an optional tag, subtask,
/// partition and a per-(subtask, partition) sequence number — never on the clock, a UUID or thread
/// timing — so a rerun writes the same names and re-committing a file is a no-op.
///
/// Layout: `<path>/[<key>=<partition>/]part-<sink>-[<tag>-]<subtask:5>-<seq:6>.<ext>`; while being
/// written or waiting for commit, the same name with a leading dot and `.inprogress` suffix (hidden
/// from readers that skip dot files, as Hive, Spark and Flink do).
///
/// The tag keeps the files of one kind of run apart from another's in the same directory: a dead-letter
/// replay (`streamrun dlq replay`) writes `part-out-replay-<id>-00000-000000.jsonl` beside the job's
/// own `part-out-00000-000000.jsonl`. Every parse takes the tag, so a run lists, recovers, refuses or
/// replaces (`--overwrite`) only the files of its own tag — an untagged run never sees tagged files.
public struct PartFileNames: Sendable, Hashable {
    public var root: String
    public var sinkID: String
    /// Set for the files of a dead-letter replay (`replay-<id>`); nil for a job's own runs.
    public var tag: String?
    public var subtask: Int
    public var fileExtension: String
    public var partitionKey: String

    public init(root: String, sinkID: String, tag: String? = nil, subtask: Int, fileExtension: String, partitionKey: String = "dt") {
        self.root = root
        self.sinkID = sinkID
        self.tag = tag
        self.subtask = subtask
        self.fileExtension = fileExtension
        self.partitionKey = partitionKey
    }

    /// The partition value used for nulls (Flink's default partition name).
    public static let defaultPartition = "__DEFAULT_PARTITION__"

    /// The directory of a partition (`root` itself when unpartitioned).
    public func directory(partition: String?) -> String {
        guard let partition else { return root }
        return root + "/" + partitionKey + "=" + Self.escape(partition)
    }

    /// The partition directory relative to `root` ("" when unpartitioned): how checkpoints key
    /// per-partition sequence numbers.
    public func relativeDirectory(partition: String?) -> String {
        guard let partition else { return "" }
        return partitionKey + "=" + Self.escape(partition)
    }

    /// (subtask, sequence) of a final part-file name of sink `sinkID` with exactly the tag `tag` (nil:
    /// untagged), or nil for any other name.
    /// Every committed part file of sink `sinkID` (with `tag`) below `root`, as paths; none when
    /// `root` is not a directory.
    public static func committedFiles(root: String, sinkID: String, tag: String?, fileExtension: String) -> [String] {
        guard FileIO.isDirectory(root) else { return [] }
        return FileIO.files(below: root).filter { parse($0.name, sinkID: sinkID, tag: tag, fileExtension: fileExtension) != nil }
            .map { $0.directory + "/" + $0.name }
    }

    public static func parse(_ name: String, sinkID: String, tag: String?, fileExtension: String) -> (subtask: Int, sequence: Int)? {
        let prefix = "part-\(sinkID)-" + (tag.map { "\($0)-" } ?? ""), suffix = ".\(fileExtension)"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.utf8.count >= prefix.utf8.count + suffix.utf8.count else { return nil }
        return numbers(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// (subtask, sequence) of an in-progress (or pending) file of sink `sinkID` with exactly the tag
    /// `tag`, whatever its format, or nil for any other name.
    public static func parseInProgress(_ name: String, sinkID: String, tag: String?) -> (subtask: Int, sequence: Int)? {
        let suffix = ".inprogress"
        guard name.hasPrefix("."), name.hasSuffix(suffix) else { return nil }
        let inner = name.dropFirst().dropLast(suffix.count)
        guard let dot = inner.lastIndex(of: ".") else { return nil }
        return parse(String(inner), sinkID: sinkID, tag: tag, fileExtension: String(inner[inner.index(after: dot)...]))
    }

    /// Whether `name` is a committed part file of any sink and tag with extension `fileExtension`
    /// (`part-<sink>-[<tag>-]<subtask:5>-<seq:6>.<ext>`; never a hidden in-progress file): what
    /// `streamrun dlq` reads in a directory, whichever sink or run wrote it.
    public static func isCommittedPartFile(_ name: String, fileExtension: String) -> Bool {
        let prefix = "part-", suffix = ".\(fileExtension)"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return false }
        let stem = name.dropLast(suffix.count)
        // A sink id of at least one character, then `-<subtask:5>-<seq:6>`.
        guard stem.count >= prefix.count + 1 + 13 else { return false }
        let tail = stem.suffix(13)
        return tail.first == "-" && numbers(tail.dropFirst()) != nil
    }

    /// `<subtask:5>-<seq:6>` as numbers.
    private static func numbers(_ text: Substring) -> (subtask: Int, sequence: Int)? {
        let middle = text.split(separator: "-", omittingEmptySubsequences: false)
        guard middle.count == 2, middle[0].count == 5, middle[1].count == 6,
              middle.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              let s = Int(middle[0]), let q = Int(middle[1]) else { return nil }
        return (s, q)
    }

    public func fileName(sequence: Int) -> String {
        "part-\(sinkID)-" + (tag.map { "\($0)-" } ?? "") + "\(Self.pad(subtask, 5))-\(Self.pad(sequence, 6)).\(fileExtension)"
    }

    public func finalPath(partition: String?, sequence: Int) -> String {
        directory(partition: partition) + "/" + fileName(sequence: sequence)
    }

    public func inProgressPath(partition: String?, sequence: Int) -> String {
        directory(partition: partition) + "/." + fileName(sequence: sequence) + ".inprogress"
    }

    /// Hive-style escaping of a partition value: `/`, `=`, `%`, control and other unsafe ASCII characters
    /// become `%XX`, and so does a leading dot, so a partition directory is never hidden. Other UTF-8 stays.
    public static func escape(_ value: String) -> String {
        if value.isEmpty { return defaultPartition }
        let unsafe = Set("/\\=%:\"'*?#[]^{}".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for (i, b) in value.utf8.enumerated() {
            if b < 0x20 || b == 0x7f || unsafe.contains(b) || (i == 0 && b == UInt8(ascii: ".")) {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
