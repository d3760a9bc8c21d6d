import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// One subtask of a `file` source: reads its splits round-robin, a batch at a time, so event time
/// advances across all of them; emits a watermark after each batch when the source has event time.
///
/// With `follow`, reaching the end of every file does not end the input: it waits for appended lines
/// and rescans the path for new files (assigned by the same split rule) until a stop is requested.
/// While it waits, `next()` returns `.pending` every 50 ms, so checkpoints complete meanwhile.
///
/// Every read step (listing the files, reading a batch of a split) goes through ``SourceFailover``:
/// a failed one is retried at the same place, and past its retries the reader switches its root to
/// the `fallback` source's path (each split continues at its offset under the same relative path),
/// goes degraded, or fails.
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
    var pendingWatermark: SourceOutput?
    var lastScan = ContinuousClock.now
    /// Fails, dead-letters or skips bad records, by the source's `onError`.
    let badRecords: BadRecordHandler
    /// Retries, the fallback switch and degradation of failed reads; which side is read.
    let failover: SourceFailover
    /// False until the files are listed (a listing that fails is retried like a read).
    var listed = false
    /// Split positions a restore that lists the files again continues from, by `start:path`.
    var restoredPositions: [String: SplitState] = [:]
    let rateBudgets: SourceRateBudgets?

    /// - Parameter restore: the splits stored by a checkpoint (all old subtasks' together); this subtask
    ///   takes its share by the usual assignment and continues each at its stored position.
    /// - Parameter cursor: the round-robin position this subtask had at the checkpoint (only meaningful,
    ///   and only passed, when restoring at the same parallelism), so splits interleave exactly as before.
    /// - Parameter rateBudgets: where the subtasks of one run share `maxRecordsPerSecond` (a reader
    ///   without one shares it with the subtasks it computes, as if they ran).
    /// - Parameter relist: the checkpoint was taken before every old subtask had listed its files:
    ///   list them again and continue the splits `restore` has at their positions.
    /// - Parameter failover: how failed reads are retried and which side is read (default: the
    ///   source's retries on its own path, nothing reported).
    init(spec: SourceSpec, subtask: Int, parallelism: Int, stop: StopFlag, restore: [SplitState]? = nil, cursor: Int? = nil,
         relist: Bool = false, rateBudgets: SourceRateBudgets? = nil, metrics: NodeMetrics? = nil, failover: SourceFailover? = nil,
         makeDecoder: @escaping () -> any RecordDecoder) throws(StreamrunError) {
        self.failover = failover ?? SourceFailover(spec: spec, fallback: nil, subtask: subtask, side: .primary, metrics: metrics, observer: nil)
        self.rateBudgets = rateBudgets
        self.badRecords = BadRecordHandler(spec: spec, metrics: metrics)
        self.spec = spec
        self.subtask = subtask
        self.parallelism = parallelism
        self.stop = stop
        self.makeDecoder = makeDecoder
        self.builder = BatchBuilder(schema: spec.schema, capacity: 2048)
        self.timeColumn = spec.eventTime.flatMap { spec.schema.index(of: $0.field) }
        self.watermarks = SplitWatermarks(splits: 0, maxOutOfOrdernessMs: spec.eventTime?.maxOutOfOrdernessMs ?? 0,
                                          idleTimeoutMs: spec.eventTime?.idleTimeoutMs, now: MonotonicMillis.now)
        if let restore, relist {
            restoredPositions = Self.byRange(restore)
        } else if let restore {
            listed = true
            knownFiles = Set(restore.map(\.path))
            let splits = restore.map { FileSplit(path: $0.path, start: $0.start, end: $0.end, index: $0.index) }
            addSplits(assign(splits), restored: Self.byRange(restore))
            if let cursor, cursor < readers.count { self.cursor = cursor }
            let open = restore.filter { !$0.finished }.map { FileSplit(path: $0.path, start: $0.start, end: $0.end, index: $0.index) }
            startLimiter(openSplits: open, budgets: rateBudgets)
            return
        }
        // A listing that fails now is retried by the first `next()`.
        do { try list() } catch where SourceFailover.isReadFailure(error) {}
    }

    /// Lists the files of the side being read and plans this subtask's splits (those a restore
    /// holds continue at their positions).
    private func list() throws(StreamrunError) {
        let root = failover.current
        try failover.injectFaults(reading: root.path ?? "")
        let files = try FileSplits.files(root.path ?? "", jsonPath: spec.jsonPath + ".path")
        let splits = FileSplits.plan(files: files, splittable: spec.format == .jsonl && !spec.follow, splitBytes: spec.splitBytes)
        knownFiles = Set(files)
        addSplits(assign(splits), restored: restoredPositions)
        let open = splits.filter { restoredPositions["\($0.start):\($0.path)"]?.finished != true }
        restoredPositions = [:]
        listed = true
        startLimiter(openSplits: open, budgets: rateBudgets)
    }

    /// Past its retries: read the fallback's path from now on. Every split continues at its offset
    /// under the same path relative to the root (the fallback mirrors the primary).
    private func switchToFallback(from old: SourceSpec) {
        let (from, to) = (SourceRoot(path: old.path ?? ""), SourceRoot(path: failover.current.path ?? ""))
        knownFiles = Set(knownFiles.map { to.absolute(from.relative($0)) })
        readers = readers.map { r in
            var split = r.split
            split.path = to.absolute(from.relative(split.path))
            return SplitReader(split: split, decoder: makeDecoder(), follow: spec.follow, badRecords: badRecords,
                               resumeAt: r.recordOffset, finished: r.finished)
        }
    }

    /// A read step failed: wait and retry (the cursor stays on split `k`), switch to the fallback,
    /// go degraded, or throw.
    private func readFailed(_ error: StreamrunError, split k: Int?) throws(StreamrunError) {
        if let k { cursor = k }
        let old = failover.current
        if try failover.readFailed(error) { switchToFallback(from: old) }
    }

    /// With `maxRecordsPerSecond`: joins the source's budget, which starts from every subtask's share
    /// of `openSplits` (the job-wide splits not finished).
    private func startLimiter(openSplits: [FileSplit], budgets: SourceRateBudgets?) {
        guard let rate = spec.maxRecordsPerSecond, limiter == nil else { return }
        let counts = (0..<parallelism).map { assign(openSplits, to: $0).count }
        let budget = (budgets ?? SourceRateBudgets()).budget(for: spec.id, perSecond: rate, activeSplits: counts)
        limiter = RateLimiter(budget: budget, subtask: subtask, sourceRate: rate, parallelism: parallelism)
        limiter?.setActiveSplits(activeSplits)
    }

    /// This subtask's splits that are not finished.
    var activeSplits: Int { readers.reduce(0) { $0 + ($1.finished ? 0 : 1) } }

    /// Where every split of this subtask stands: the next record's byte offset and the event time seen.
    func snapshotState(checkpoint id: CheckpointID) -> SnapshotPayload? {
        let states = readers.enumerated().map { k, r in
            SplitState(index: r.split.index, path: r.split.path, start: r.split.start, end: r.split.end,
                       position: r.recordOffset, finished: r.finished, maxEventTime: watermarks.maxSeen[k])
        }
        var named = [SplitState.section: SplitState.encode(states), SplitState.cursorSection: SplitState.encodeCursor(cursor)]
        named[SourceSideState.section] = SourceSideState(side: failover.side, listed: listed).encoded
        return SnapshotPayload(named: named)
    }

    private func assign(_ splits: [FileSplit], to subtask: Int? = nil) -> [FileSplit] {
        let s = subtask ?? self.subtask
        return spec.follow ? FileSplits.assignByPath(splits, subtask: s, parallelism: parallelism)
            : FileSplits.assign(splits, subtask: s, parallelism: parallelism)
    }

    /// Split positions of a checkpoint by `start:path` (not index: a followed file found by a rescan
    /// is numbered from 0 again).
    static func byRange(_ restore: [SplitState]) -> [String: SplitState] {
        Dictionary(restore.map { ("\($0.start):\($0.path)", $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Starts a reader per split; one that `restored` holds continues at its position, with its
    /// watermark state.
    private func addSplits(_ splits: [FileSplit], restored: [String: SplitState] = [:]) {
        for split in splits {
            let s = restored["\(split.start):\(split.path)"]
            readers.append(SplitReader(split: split, decoder: makeDecoder(), follow: spec.follow, badRecords: badRecords,
                                       resumeAt: s?.position ?? split.start, finished: s?.finished ?? false))
            watermarks.addSplit(now: MonotonicMillis.now)
            let k = readers.count - 1
            if let s, s.maxEventTime != .min { watermarks.observe(split: k, maxEventTime: s.maxEventTime, now: MonotonicMillis.now) }
            if s?.finished == true { watermarks.finish(split: k) }
        }
    }

    func next() async throws -> SourceOutput? {
        if let w = pendingWatermark {
            pendingWatermark = nil
            return w
        }
        reading: while true {
            try Task.checkCancellation()
            if stop.isRequested { return nil }
            if let instead = try await failover.beforeRead() { return instead }
            if !listed {
                do throws(StreamrunError) {
                    try list()
                    failover.readSucceeded()
                } catch {
                    try readFailed(error, split: nil)
                    continue reading
                }
            }
            if readers.allSatisfy(\.finished) && !spec.follow { return nil }
            // One batch from the next split that has data.
            for _ in 0..<max(readers.count, 1) {
                guard !readers.isEmpty else { break }
                let k = cursor
                cursor = (cursor + 1) % readers.count
                let r = readers[k]
                if r.finished { continue }
                let n: Int
                do throws(StreamrunError) {
                    try failover.injectFaults(reading: r.split.path)
                    n = try r.read(maxRows: limiter?.batchRows ?? 2048, into: &builder)
                    failover.readSucceeded()
                } catch {
                    try readFailed(error, split: k)
                    continue reading
                }
                if r.finished {
                    watermarks.finish(split: k)
                    if n == 0 { limiter?.setActiveSplits(activeSplits) }
                }
                let letters = badRecords.takeDeadLetters()
                guard n > 0 else {
                    if let letters { return .recordsAndDeadLetters(builder.finish(), deadLetters: letters) }
                    continue
                }
                let batch = builder.finish()
                if let t = timeColumn {
                    if batch.columns[t].validity?.contains(false) == true {
                        throw StreamrunError(.malformedRecord, "event time field \"\(spec.schema[t].name)\" is null in a record",
                                             location: r.split.path)
                    }
                    if let m = batch.maxInt(column: t) { watermarks.observe(split: k, maxEventTime: EventTime(milliseconds: m), now: MonotonicMillis.now) }
                    pendingWatermark = watermarks.advance(now: MonotonicMillis.now).map(Self.output)
                }
                try await limiter?.pace(n)
                if r.finished { limiter?.setActiveSplits(activeSplits) }
                if let letters { return .recordsAndDeadLetters(batch, deadLetters: letters) }
                return .records(batch)
            }
            if timeColumn != nil, let u = watermarks.advance(now: MonotonicMillis.now) { return Self.output(u) }
            if !spec.follow { continue }
            // Following and nothing new: rescan now and then, wait a little, and let the task take a
            // checkpoint meanwhile.
            if ContinuousClock.now - lastScan > .seconds(1) { try rescan() }
            try await Task.sleep(for: .milliseconds(50))
            return .pending
        }
    }

    static func output(_ u: SplitWatermarks.Update) -> SourceOutput {
        switch u {
        case .watermark(let w): return .watermark(w)
        case .idle: return .idle
        }
    }

    private func rescan() throws(StreamrunError) {
        lastScan = .now
        guard let files = try? FileSplits.files(failover.current.path ?? "", jsonPath: spec.jsonPath) else { return }
        let new = files.filter { !knownFiles.contains($0) }
        guard !new.isEmpty else { return }
        for f in new { knownFiles.insert(f) }
        addSplits(assign(FileSplits.plan(files: new, splittable: false, splitBytes: spec.splitBytes)))
        limiter?.setActiveSplits(activeSplits)
    }
}
