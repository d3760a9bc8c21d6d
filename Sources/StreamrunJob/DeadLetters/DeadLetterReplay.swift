import StreamrunConnectors
import StreamrunCore
import StreamrunPlan

/// `streamrun dlq replay job.json PATH`: feeds the records of a dead-letter queue back through the
/// (fixed) job's sources they came from, as bounded runs of their own. This type decides what to run;
/// ``start(_:logger:)`` prepares one replay and ``ReplayRun`` finishes it.
///
/// - The queue (PATH: a dead-letter sink's directory, or one part file) is read in file name order,
///   then line order. A dead letter is replayed when a source refused it and its record is whole;
///   those an operator sent or that were cut at `maxRecordSize` are counted, not replayed.
/// - A replay covers a set of dead-letter files, identified by content (committed part files never
///   change). Its id hashes them, so the same queue gives the same replay, whose directory
///   (``ReplayNamespace``) holds its input files, checkpoints and, once finished, its `done` marker.
/// - Files covered by a finished replay are not replayed again: replaying the same queue twice adds
///   nothing the second time; a queue that has grown since replays only its new files.
/// - A replay that was prepared but did not finish (a crash, a kill, a stop) is run again first:
///   it resumes from its newest checkpoint, exactly like `streamrun job.json`.
public struct DeadLetterReplay: Sendable {
    /// One replay to run: an unfinished one to resume, or a new one with its input files' contents.
    public struct Step: Sendable {
        let namespace: ReplayNamespace
        let record: ReplayRecord
        /// Per source id, the records to feed it (each followed by "\n"); nil to resume a prepared replay.
        let inputs: [String: [UInt8]]?

        public var id: String { namespace.id }
        public var isResume: Bool { inputs == nil }
        /// Records the replay feeds through the job's sources.
        public var records: Int { record.replayed }
    }

    /// The job as loaded (paths resolved).
    public let plan: JobPlan
    /// The queue, as named on the command line.
    public let dlq: String
    let jobDirectory: String
    let stateDirectory: String
    /// Replays to run, in order: unfinished replays of this queue's files, then a new one for the files
    /// no replay has covered.
    public let steps: [Step]
    /// When nothing is left to replay: the finished replays that covered the queue.
    let finished: [(ReplayRecord, ReplayDone)]
    /// Committed part files in the queue.
    public let fileCount: Int

    /// Reads the queue and the job's earlier replays, and decides what to run. Writes nothing.
    ///
    /// - Important: Throws for a queue path that does not exist or a line that is not a dead-letter
    ///   envelope (naming the file and line), and (`usage`) for replayable dead letters of a source
    ///   the job does not have as a file source.
    public init(plan: JobPlan, jobDirectory: String, dlq: String) throws(StreamrunError) {
        self.plan = plan
        self.dlq = dlq
        self.jobDirectory = jobDirectory
        stateDirectory = JobLauncher(plan: plan, options: .init(jobDirectory: jobDirectory)).stateDirectory
        let files = try DeadLetterFile.list(dlq).map { path throws(StreamrunError) in try DeadLetterFile.read(path) }
        fileCount = files.count

        // The job's earlier replays (those prepared), and which of them covered which file.
        struct Earlier {
            var namespace: ReplayNamespace
            var record: ReplayRecord
            var done: ReplayDone?
        }
        var earlier: [Earlier] = []
        var coveredBy: [String: Int] = [:]
        for ns in ReplayNamespace.all(in: stateDirectory) {
            guard let record = try ReplayRecord.read(ns.recordPath) else { continue }
            for f in record.files where coveredBy[f.identity] == nil { coveredBy[f.identity] = earlier.count }
            earlier.append(Earlier(namespace: ns, record: record, done: try ReplayDone.read(ns.donePath)))
        }
        // Per file of the queue, in order: covered by an earlier replay (finished, or to be run again),
        // or left for a new one. Files with the same content are one.
        var covering: [Int] = []
        var remaining: [(file: DeadLetterFile, identity: String)] = []
        var seen: Set<String> = []
        for f in files {
            let identity = Self.identity(f.bytes)
            guard seen.insert(identity).inserted else { continue }
            if let i = coveredBy[identity] {
                if !covering.contains(i) { covering.append(i) }
            } else {
                remaining.append((f, identity))
            }
        }
        var steps = covering.filter { earlier[$0].done == nil }.map { i in
            Step(namespace: earlier[i].namespace, record: earlier[i].record, inputs: nil)
        }
        if !remaining.isEmpty { steps.append(try Self.newStep(remaining, plan: plan, dlq: dlq, stateDirectory: stateDirectory)) }
        self.steps = steps
        finished = steps.isEmpty ? covering.map { (earlier[$0].record, earlier[$0].done!) } : []
    }

    /// A replay of the files no replay has covered yet.
    private static func newStep(_ files: [(file: DeadLetterFile, identity: String)], plan: JobPlan, dlq: String,
                                stateDirectory: String) throws(StreamrunError) -> Step {
        var inputs: [String: [UInt8]] = [:]
        var counts: [String: Int] = [:]
        var order: [String] = []
        var fromOperators = 0, cut = 0
        for (file, _) in files {
            try file.forEach { _, letter throws(StreamrunError) in
                if letter.operatorID != nil {
                    fromOperators += 1
                } else if letter.rawLength != nil {
                    cut += 1
                } else {
                    if counts[letter.source] == nil { order.append(letter.source) }
                    counts[letter.source, default: 0] += 1
                    inputs[letter.source, default: []] += letter.raw + [UInt8(ascii: "\n")]
                }
            }
        }
        let fileSources = plan.spec.sources.filter { $0.kind == .file }.map(\.id)
        for source in order where !fileSources.contains(source) {
            let what = plan.spec.sources.contains { $0.id == source } ? "source \"\(source)\" is not a file source"
                : "the job has no source \"\(source)\" (its file sources: \(fileSources.joined(separator: ", ")))"
            throw StreamrunError(.usage, "\(counts[source]!) dead letter\(counts[source]! == 1 ? "" : "s") of source \"\(source)\" "
                + "cannot be replayed: \(what)", location: dlq)
        }
        var hash = StableHash()
        for (_, identity) in files { for b in identity.utf8 { hash.combine(byte: b) } }
        let id = Self.hex(hash.finalized)
        let generation = DeadLetterGenerations.generation(of: dlq) + 1
        let record = ReplayRecord(id: id, dlq: dlq, generation: generation,
                                  files: files.map { .init(path: $0.file.path, identity: $0.identity) },
                                  sources: order.sorted().map { .init(source: $0, records: counts[$0]!) },
                                  fromOperators: fromOperators, cut: cut)
        return Step(namespace: ReplayNamespace(stateDirectory: stateDirectory, id: id), record: record, inputs: inputs)
    }

    /// A dead-letter file's identity: its size and the ``StableHash`` of its bytes.
    static func identity(_ bytes: [UInt8]) -> String {
        var h = StableHash()
        bytes.withUnsafeBufferPointer { h.combine(bytes: $0) }
        return "\(bytes.count)-\(hex(h.finalized))"
    }

    /// 16 lower-case hex digits.
    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
