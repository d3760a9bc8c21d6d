import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// One subtask of a `file` source: reads its splits round-robin, a batch at a time, so event time
/// advances across all of them; emits a watermark after each batch when the source has event time.
///
/// With `follow`, reaching the end of every file does not end the input: it waits for appended lines
/// and rescans the path for new files (assigned by the same split rule) until a stop is requested.
final class FileSourceReader: SourceReader {
    let spec: SourceSpec
    let subtask: Int
    let parallelism: Int
    let stop: StopFlag
    let makeDecoder: () -> any RecordDecoder
    var readers: [SplitReader] = []
    var knownFiles: Set<String> = []
    var cursor = 0
    var builder: BatchBuilder
    var watermarks: SplitWatermarks
    let timeColumn: Int?
    var limiter: RateLimiter?
    var pendingWatermark: Int64?
    let batchRows: Int
    var lastScan = ContinuousClock.now

    init(spec: SourceSpec, subtask: Int, parallelism: Int, stop: StopFlag, makeDecoder: @escaping () -> any RecordDecoder) throws(StreamrunError) {
        self.spec = spec
        self.subtask = subtask
        self.parallelism = parallelism
        self.stop = stop
        self.makeDecoder = makeDecoder
        self.builder = BatchBuilder(schema: spec.schema, capacity: 2048)
        self.timeColumn = spec.eventTime.flatMap { spec.schema.index(of: $0.field) }
        if let rate = spec.maxRecordsPerSecond { limiter = RateLimiter(perSecond: rate / Double(parallelism)) }
        self.batchRows = limiter?.batchRows ?? 2048
        let files = try FileSplits.files(spec.path ?? "", jsonPath: spec.jsonPath + ".path")
        let splits = FileSplits.plan(files: files, splittable: spec.format == .jsonl && !spec.follow, splitBytes: spec.splitBytes)
        knownFiles = Set(files)
        self.watermarks = SplitWatermarks(splits: 0, maxOutOfOrdernessMs: spec.eventTime?.maxOutOfOrdernessMs ?? 0)
        addSplits(assign(splits))
    }

    private func assign(_ splits: [FileSplit]) -> [FileSplit] {
        spec.follow ? FileSplits.assignByPath(splits, subtask: subtask, parallelism: parallelism)
            : FileSplits.assign(splits, subtask: subtask, parallelism: parallelism)
    }

    private func addSplits(_ splits: [FileSplit]) {
        for s in splits {
            readers.append(SplitReader(split: s, decoder: makeDecoder(), follow: spec.follow))
            watermarks.maxSeen.append(.min)
            watermarks.finished.append(false)
        }
    }

    func next() async throws -> SourceOutput? {
        if let w = pendingWatermark {
            pendingWatermark = nil
            return .watermark(w)
        }
        while true {
            if stop.isRequested || Task.isCancelled { return nil }
            if readers.allSatisfy(\.finished) && !spec.follow { return nil }
            // One batch from the next split that has data.
            for _ in 0..<max(readers.count, 1) {
                guard !readers.isEmpty else { break }
                let k = cursor
                cursor = (cursor + 1) % readers.count
                let r = readers[k]
                if r.finished { continue }
                let n = try r.read(maxRows: batchRows, into: &builder)
                if r.finished { watermarks.finish(split: k) }
                guard n > 0 else { continue }
                let batch = builder.finish()
                if let t = timeColumn {
                    if batch.columns[t].validity?.contains(false) == true {
                        throw StreamrunError(.malformedRecord, "event time field \"\(spec.schema[t].name)\" is null in a record",
                                             location: r.split.path)
                    }
                    if let m = batch.maxInt(column: t) { watermarks.observe(split: k, maxEventTime: m) }
                    pendingWatermark = watermarks.advance()
                }
                try await limiter?.pace(n)
                return .records(batch)
            }
            if timeColumn != nil, let w = watermarks.advance() { return .watermark(w) }
            if !spec.follow { continue }
            // Following and nothing new: rescan now and then, and wait a little.
            if ContinuousClock.now - lastScan > .seconds(1) { try rescan() }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func rescan() throws(StreamrunError) {
        lastScan = .now
        guard let files = try? FileSplits.files(spec.path ?? "", jsonPath: spec.jsonPath) else { return }
        let new = files.filter { !knownFiles.contains($0) }
        guard !new.isEmpty else { return }
        for f in new { knownFiles.insert(f) }
        addSplits(assign(FileSplits.plan(files: new, splittable: false, splitBytes: spec.splitBytes)))
    }
}
