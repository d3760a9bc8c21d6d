import StreamrunCore

/// Reads a parsed job.json tree into a ``JobSpec``: keys, JSON types, defaults, durations and sizes.
///
/// The parser checks each object on its own (unknown and missing keys, wrong types, bad durations,
/// aggregate call syntax); everything that needs the whole job (ids, inputs, schemas, expressions)
/// is ``JobValidator``'s work. It never stops at the first problem: a bad value is reported and the
/// default used, so one pass lists every mistake.
public enum JobParser {
    /// The spec, best effort, and every problem found. The spec is only meaningful when `issues` is empty.
    public static func parse(_ root: JSONValue) -> (spec: JobSpec, issues: [JobIssue]) {
        let r = read(root)
        return (r.spec, r.issues)
    }

    /// The result of reading, with what validation needs to avoid repeating a reported problem.
    struct Parsed {
        var spec: JobSpec
        var issues: [JobIssue]
        var hints: JobValidator.Hints
    }

    static func read(_ root: JSONValue) -> Parsed {
        var r = JobReader()
        var spec = JobSpec(name: "")
        guard let o = root.object else {
            r.issue("", "expected a JSON object at the top level, got \(root.brief)")
            return Parsed(spec: spec, issues: r.issues, hints: .init(fromParser: true))
        }
        r.checkKeys(o, "", kind: "job")
        spec.name = r.jobName(o) ?? ""
        spec.parallelism = r.int(o, "parallelism", "", in: JobLimits.parallelism) ?? 1
        spec.maxParallelism = r.int(o, "maxParallelism", "", in: JobLimits.keyGroups) ?? KeyGroups.defaultMaxParallelism
        if let c = o["checkpoints"] { spec.checkpoints = r.checkpoints(c, "checkpoints") }
        if let c = o["control"] { spec.control = r.control(c, "control") }
        if let c = o["restart"] { spec.restart = r.restart(c, "restart") }
        spec.faults = r.list(o, "faults", required: false) { r, v, path in r.fault(v, path) }
        spec.alerts = r.list(o, "alerts", required: false) { r, v, path in r.alert(v, path) }

        spec.sources = r.list(o, "sources", required: true) { r, v, path in r.source(v, path) }
        spec.operators = r.list(o, "operators", required: false) { r, v, path in r.operatorSpec(v, path) }
        // A sink named as another sink's `fallback` needs no inputs of its own, wherever it is listed.
        for v in o["sinks"]?.array ?? [] { if let f = v.object?["fallback"]?.string { r.deadLetterTargets.insert(f) } }
        spec.sinks = r.list(o, "sinks", required: true) { r, v, path in r.sink(v, path) }
        let hints = JobValidator.Hints(fromParser: true, tainted: r.tainted, dropped: r.dropped,
                                       parserFoundProblems: !r.issues.isEmpty)
        return Parsed(spec: spec, issues: r.issues, hints: hints)
    }
}

extension JobReader {
    mutating func checkpoints(_ v: JSONValue, _ path: String) -> CheckpointSpec? {
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "checkpoints")
        let defaults = CheckpointSpec(dir: "")
        let dir = self.path(o, "dir", path, required: true)
        let interval = duration(o, "interval", path, positive: true)
        let retain = int(o, "retain", path, min: 1).flatMap { Int(exactly: $0) }
        let timeout = duration(o, "timeout", path, positive: true)
        let minPause = duration(o, "minPause", path)
        let tolerable = int(o, "tolerableFailures", path, min: 0).flatMap { Int(exactly: $0) }
        return CheckpointSpec(dir: dir ?? "", intervalMs: interval ?? defaults.intervalMs, retain: retain ?? defaults.retain,
                              timeoutMs: timeout ?? defaults.timeoutMs, minPauseMs: minPause ?? defaults.minPauseMs,
                              tolerableFailures: tolerable ?? defaults.tolerableFailures)
    }

    mutating func control(_ v: JSONValue, _ path: String) -> ControlSpec? {
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "control")
        let defaults = ControlSpec()
        let host = string(o, "host", path)
        var port = int(o, "port", path, min: 0)
        if let p = port, p > 65535 {
            issue(Self.join(path, "port"), "expected a port from 0 to 65535, got \(p)")
            port = nil
        }
        return ControlSpec(host: host ?? defaults.host, port: port.flatMap { Int(exactly: $0) } ?? defaults.port)
    }

    /// Reads `key` as an array of objects, one element at a time; missing (when required) or empty
    /// `sources`/`sinks` are reported here because validation cannot tell them from unparsable ones.
    mutating func list<T>(_ o: JSONObject, _ key: String, required: Bool,
                          _ element: (inout JobReader, JSONValue, String) -> T?) -> [T] {
        guard let v = o[key] else {
            if required { issue(key, "missing required key \"\(key)\"") }
            return []
        }
        guard let a = v.array else {
            issue(key, "expected an array of objects, got \(v.brief)")
            return []
        }
        if a.isEmpty && required {
            issue(key, "a job needs at least one \(key == "sources" ? "source" : "sink")")
        }
        return a.enumerated().compactMap { i, e in element(&self, e, Self.index(key, i)) }
    }

    /// The `id` of a node: 1–128 letters, digits, `_` and `-` (ids name state files and output
    /// directories, and `.` is reserved for `w.late`): the rule the checkpoint store enforces,
    /// ``SafeNames/isValidID(_:)``.
    mutating func id(_ o: JSONObject, _ path: String) -> String? {
        guard let s = string(o, "id", path, required: true) else { return nil }
        if !SafeNames.isValidID(s) {
            let why = s.utf8.count > SafeNames.maxLength
                ? "expected an id of at most \(SafeNames.maxLength) characters (it is part of state file names), got \(s.utf8.count): \(JSONValue(.string(s)).brief)"
                : "expected an id of letters, digits, '_' and '-', got \(JSONValue(.string(s)).brief)"
            issue(Self.join(path, "id"), why)
            dropped.insert(s)  // already reported: references to it are not blamed again
            return nil
        }
        return s
    }

    /// The job's `name`: it names the directories of the job's state and savepoints
    /// (`.streamrun/<name>/`, `savepoints/<name>/`), so it must be a safe file name
    /// (``SafeNames/isValidJobName(_:)``).
    mutating func jobName(_ o: JSONObject) -> String? {
        guard let s = string(o, "name", "", required: true) else { return nil }
        guard SafeNames.isValidJobName(s) else {
            issue("name", "expected a name of at most \(SafeNames.maxLength) letters, digits, '_', '-' and '.', not starting "
                + "with '.' (it names the job's state and savepoint directories), got \(JSONValue(.string(s)).brief)")
            return nil
        }
        return s
    }
}
