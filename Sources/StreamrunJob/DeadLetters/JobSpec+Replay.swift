import StreamrunCore
import StreamrunIO
import StreamrunPlan

extension JobSpec {
    /// This job as `streamrun dlq replay` runs it: a bounded run over the replay's input files, with
    /// its own name, checkpoints and part-file names, that cannot touch the job's own run.
    ///
    /// - every source reads its input file in the replay directory (`input/<source>.<ext>`; empty for
    ///   a source with nothing to replay), in the format the job declares, not followed, with no CSV
    ///   header (dead letters hold records, not headers); a generator becomes an empty JSONL file
    ///   source of the same schema; dead letters name the input file relative to `jobDirectory`;
    /// - the name is `<name>-replay-<id>` and the checkpoints go to `replay-<id>/checkpoints`;
    /// - every file sink tags its part files `replay-<id>` (``SinkSpec/partTag``), so they never collide
    ///   with the job's own part files, and neither run lists, recovers or replaces the other's;
    /// - a dead-letter sink (a source's or operator's `deadLetter`) writes to the next generation of its directory,
    ///   `<path>.replay-<generation>`, never into the queue being replayed.
    func replaying(_ ns: ReplayNamespace, generation: Int, jobDirectory: String) -> JobSpec {
        var spec = self
        let suffix = "-" + ns.tag
        spec.name = String(name.prefix(SafeNames.maxLength - suffix.count)) + suffix
        spec.checkpoints?.dir = ns.checkpointsDirectory
        let deadLetterSinks = deadLetterSinkIDs
        for i in spec.sources.indices {
            var s = spec.sources[i]
            if s.kind == .generator {
                s.kind = .file
                s.format = .jsonl
                s.schema = SourceSpec.nexmarkBidSchema
            }
            s.path = FileIO.absolute(ns.input(source: s.id, format: s.format))
            s.pathBase = FileIO.absolute(jobDirectory)
            s.follow = false
            s.csvHeader = false
            spec.sources[i] = s
        }
        for i in spec.sinks.indices where spec.sinks[i].kind == .file {
            spec.sinks[i].partTag = ns.tag
            if deadLetterSinks.contains(spec.sinks[i].id), let path = spec.sinks[i].path {
                spec.sinks[i].path = DeadLetterGenerations.path(path, generation: generation)
            }
        }
        return spec
    }

    /// The sinks that receive dead letters: every source's and operator's `deadLetter`.
    var deadLetterSinkIDs: Set<String> {
        Set(sources.compactMap(\.deadLetter) + operators.compactMap(\.deadLetter))
    }
}

/// Dead-letter generations: records still bad when a queue is replayed go to the next generation of
/// the dead-letter sink's directory, a sibling: `out/dlq` (generation 0) → `out/dlq.replay-1`, and
/// replaying `out/dlq.replay-1` writes `out/dlq.replay-2`.
enum DeadLetterGenerations {
    static let marker = ".replay-"

    /// The generation of a queue path: `N` when the path or a directory above it is named
    /// `<name>.replay-N` (the nearest such), else 0.
    static func generation(of path: String) -> Int {
        for part in path.split(separator: "/").reversed() {
            let pieces = part.split(separator: ".", omittingEmptySubsequences: false)
            guard pieces.count >= 2, !pieces[0].isEmpty, let last = pieces.last, last.hasPrefix("replay-") else { continue }
            let digits = last.dropFirst("replay-".count)
            if !digits.isEmpty, digits.count < 10, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(digits) {
                return n
            }
        }
        return 0
    }

    /// The directory of generation `generation` of a dead-letter sink whose job.json path is `path`.
    static func path(_ path: String, generation: Int) -> String {
        var base = Substring(path)
        while base.count > 1 && base.hasSuffix("/") { base = base.dropLast() }
        return base + marker + String(generation)
    }
}
