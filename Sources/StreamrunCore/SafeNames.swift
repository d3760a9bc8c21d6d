/// The rules for names that become parts of file and directory names: node ids and job names.
///
/// One rule, used by job.json validation (so a bad name is refused before the job starts, with its
/// JSON path) and by the checkpoint store (which refuses to build a path from anything else), so the
/// two can never disagree.
public enum SafeNames {
    /// The longest id or job name, in bytes (all allowed characters are ASCII): state file names embed
    /// an id, and a file name may have at most 255 bytes.
    public static let maxLength = 128

    /// Whether `id` is a valid source, operator or sink id: 1–128 ASCII letters, digits, `_` or `-`.
    /// (`.` is reserved for `w.late`, and ids appear in state and output file names.)
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxLength && id.utf8.allSatisfy(isIDByte)
    }

    /// Whether `name` is a valid job name: 1–128 ASCII letters, digits, `_`, `-` or `.`, not starting
    /// with `.`. The name becomes a directory name (`.streamrun/<name>/`, `savepoints/<name>/`), so it
    /// can never be `..`, hidden, or hold a `/`.
    public static func isValidJobName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "."), name.utf8.count <= maxLength else { return false }
        return name.utf8.allSatisfy { isIDByte($0) || $0 == UInt8(ascii: ".") }
    }

    @inline(__always) static func isIDByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) || b == 0x5F || b == 0x2D
    }
}
