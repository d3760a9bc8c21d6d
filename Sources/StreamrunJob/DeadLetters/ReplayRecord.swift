import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// What one dead-letter replay covers: `replay.json` in its ``ReplayNamespace``. Written once, when
/// the replay is prepared, after its input files; a replay directory without it was never prepared.
///
/// Dead-letter files are identified by their content (size and a 64-bit ``StableHash``), not by
/// path: committed part files never change, so a file a replay covered is never replayed again,
/// wherever the queue is read from.
public struct ReplayRecord: Sendable, Equatable {
    /// One dead-letter file the replay covers: the path it was read at, and its identity.
    struct File: Sendable, Equatable {
        var path: String
        var identity: String
    }

    /// Records fed to one source.
    struct SourceInput: Sendable, Equatable {
        var source: String
        var records: Int
    }

    static let version = 1

    var id: String
    /// The queue as it was named on the command line.
    var dlq: String
    /// Records still bad go to the dead-letter sinks' `<path>.replay-<generation>`.
    var generation: Int
    var files: [File]
    var sources: [SourceInput]
    /// Dead letters an operator sent (they were not refused by a source).
    var fromOperators: Int
    /// Dead letters holding only the first bytes of their record (`rawLength`).
    var cut: Int

    var replayed: Int { sources.reduce(0) { $0 + $1.records } }
    var notReplayable: Int { fromOperators + cut }

    var json: OrderedJSON {
        .object([
            ("version", .int(Int64(Self.version))), ("id", .string(id)), ("dlq", .string(dlq)),
            ("generation", .int(Int64(generation))),
            ("files", .array(files.map { .object([("path", .string($0.path)), ("identity", .string($0.identity))]) })),
            ("sources", .array(sources.map { .object([("source", .string($0.source)), ("records", .int(Int64($0.records)))]) })),
            ("fromOperators", .int(Int64(fromOperators))), ("cut", .int(Int64(cut))),
        ])
    }

    init(id: String, dlq: String, generation: Int, files: [File], sources: [SourceInput], fromOperators: Int, cut: Int) {
        self.id = id
        self.dlq = dlq
        self.generation = generation
        self.files = files
        self.sources = sources
        self.fromOperators = fromOperators
        self.cut = cut
    }

    /// Reads `replay.json`; nil when it is not there (the replay was never prepared).
    static func read(_ path: String) throws(StreamrunError) -> ReplayRecord? {
        guard let bytes = try FileIO.readAll(path) else { return nil }
        let bad = { (why: String) in StreamrunError(.readFailed, "not a replay record: \(why)", location: path) }
        guard let o = try? JSONParser.parse(bytes).object else { throw bad("not a JSON object") }
        guard o["version"]?.number?.int == Int64(version) else { throw bad("unknown version \(o["version"]?.brief ?? "null")") }
        func int(_ o: JSONObject, _ key: String) throws(StreamrunError) -> Int {
            guard let n = o[key]?.number?.int else { throw bad("\"\(key)\" is missing") }
            return Int(n)
        }
        func string(_ o: JSONObject, _ key: String) throws(StreamrunError) -> String {
            guard let s = o[key]?.string else { throw bad("\"\(key)\" is missing") }
            return s
        }
        var files: [File] = []
        for f in o["files"]?.array ?? [] {
            guard let fo = f.object else { throw bad("\"files\" holds \(f.brief)") }
            files.append(File(path: try string(fo, "path"), identity: try string(fo, "identity")))
        }
        var sources: [SourceInput] = []
        for s in o["sources"]?.array ?? [] {
            guard let so = s.object else { throw bad("\"sources\" holds \(s.brief)") }
            sources.append(SourceInput(source: try string(so, "source"), records: try int(so, "records")))
        }
        return ReplayRecord(id: try string(o, "id"), dlq: try string(o, "dlq"), generation: try int(o, "generation"),
                            files: files, sources: sources, fromOperators: try int(o, "fromOperators"), cut: try int(o, "cut"))
    }

    func write(to path: String) throws(StreamrunError) {
        try ReplayNamespace.publish(Array((json.pretty + "\n").utf8), to: path)
    }
}

/// The marker of a finished replay: `done` in its ``ReplayNamespace``, published atomically once
/// the replay run has finished its input and committed its output.
public struct ReplayDone: Sendable, Equatable {
    /// The replay run's last checkpoint (nil for a job without checkpoints): when it finished.
    var checkpoint: Int64?
    /// Records that were bad again, in the new dead-letter generation.
    var stillBad: Int
    /// The dead-letter sinks' directories of that generation.
    var deadLetterPaths: [String]

    var json: OrderedJSON {
        .object([
            ("version", .int(Int64(ReplayRecord.version))), ("checkpoint", checkpoint.map(OrderedJSON.int) ?? .null),
            ("stillBad", .int(Int64(stillBad))), ("deadLetterPaths", .array(deadLetterPaths.map(OrderedJSON.string))),
        ])
    }

    /// Reads `done`; nil when it is not there (the replay has not finished).
    static func read(_ path: String) throws(StreamrunError) -> ReplayDone? {
        guard let bytes = try FileIO.readAll(path) else { return nil }
        guard let o = try? JSONParser.parse(bytes).object, let stillBad = o["stillBad"]?.number?.int else {
            throw StreamrunError(.readFailed, "not a replay's done marker", location: path)
        }
        return ReplayDone(checkpoint: o["checkpoint"]?.number?.int, stillBad: Int(stillBad),
                          deadLetterPaths: (o["deadLetterPaths"]?.array ?? []).compactMap(\.string))
    }

    func write(to path: String) throws(StreamrunError) {
        try ReplayNamespace.publish(Array((json.pretty + "\n").utf8), to: path)
    }
}
