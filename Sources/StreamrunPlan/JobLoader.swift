import StreamrunCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads job.json: reads the file, parses the JSON, reads the spec and validates it into a ``JobPlan``.
///
/// Paths inside the job (source paths, sink paths, the checkpoint directory) are kept exactly as
/// written; the CLI makes relative ones relative to the job file's directory with
/// ``JobPlan/resolvingPaths(relativeTo:)``. Non-fatal findings are in ``JobPlan/warnings``.
///
/// - Important: Every problem in the job is reported at once in one
///   ``StreamrunError/invalidJob(_:_:)`` error (code `.invalidJob`, exit status 2), each line naming
///   the JSON path of the bad value. A JSON syntax error stops parsing and is reported alone, as
///   `job.json:12:5: expected ',' or '}' after object member`. A file that cannot be read throws
///   code `.inputNotFound`.
public enum JobLoader {
    /// Reads and validates the job file at `path`.
    public static func load(path: String) throws(StreamrunError) -> JobPlan {
        try parse(data: try readFile(path), file: path)
    }

    /// Parses and validates job.json `data`; `file` names it in messages.
    public static func parse(data: [UInt8], file: String) throws(StreamrunError) -> JobPlan {
        let (checked, issues) = check(data: data, file: file)
        guard var plan = checked, issues.isEmpty else { throw .invalidJob(file, issues) }
        plan.sourceText = String(decoding: data, as: UTF8.self)
        return plan
    }

    /// The plan, or every problem: a JSON syntax error alone, else the parser's and validator's.
    static func check(data: [UInt8], file: String) -> (plan: JobPlan?, issues: [JobIssue]) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(data)
        } catch {
            return (nil, [.shortened("\(file):\(error.line):\(error.column)", error.message)])
        }
        let parsed = JobParser.read(root)
        let (plan, issues) = JobValidator.check(parsed.spec, hints: parsed.hints)
        let all = documentOrder(parsed.issues + issues)
        return (all.isEmpty ? plan : nil, all)
    }

    /// Sorts problems by where they are in the job (top-level keys, checkpoints, control, then each source,
    /// operator and sink in turn), keeping the found order for problems of one node.
    static func documentOrder(_ issues: [JobIssue]) -> [JobIssue] {
        func key(_ path: String) -> (Int, Int) {
            let sections = ["checkpoints", "control", "sources", "operators", "sinks"]
            let head = path.prefix { $0 != "." && $0 != "[" }
            guard let rank = sections.firstIndex(of: String(head)) else { return (0, 0) }
            var index = -1
            if path.dropFirst(head.count).first == "[" {
                index = Int(path.dropFirst(head.count + 1).prefix { $0.isNumber }) ?? -1
            }
            return (rank + 1, index)
        }
        return issues.enumerated().sorted { a, b in
            let (ka, kb) = (key(a.element.path), key(b.element.path))
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    /// The whole file, or `.inputNotFound` with a plain message.
    static func readFile(_ path: String) throws(StreamrunError) -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw StreamrunError(.inputNotFound, "cannot read job file \(path): \(reason)")
        }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { out.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count {
                if ferror(f) != 0 {
                    throw StreamrunError(.inputNotFound, "cannot read job file \(path): \(String(cString: strerror(errno)))")
                }
                return out
            }
        }
    }
}
