import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// One subtask of the `generator` source: the Nexmark bid stream, deterministic for a seed.
///
/// Bids are numbered n = 0, 1, 2, … (below `count`, if bounded) and grouped in blocks of
/// ``blockSize``; block b belongs to split `b mod splits`, and split k to subtask `k mod p`. A subtask
/// generates its blocks in increasing order, one whole block at a time, so every subtask's output is in
/// event-time order and at parallelism 1 the output is exactly bid 0, 1, 2, …. Each bid is a pure
/// function of (seed, n): output never depends on timing, and splits can be reassigned when rescaling.
final class GeneratorSourceReader: SourceReader {
    static let blockSize: Int64 = 2048

    let spec: SourceSpec
    let generator: NexmarkGenerator
    let stop: StopFlag
    let splitCount: Int64
    /// Per owned split: its index, and the next bid to generate within its current block sequence.
    var splits: [(k: Int64, blocksDone: Int64, offsetInBlock: Int64)]
    var builder: BatchBuilder
    var watermarks: SplitWatermarks
    let timeColumn: Int?
    var limiter: RateLimiter?
    var pendingWatermark: Watermark?
    /// Retries and degradation of failed reads (only injected `fail-reads` faults fail here).
    let failover: SourceFailover

    /// - Parameter restore: the splits stored by a checkpoint (all old subtasks' together).
    /// - Parameter rateBudgets: where the subtasks of one run share `maxRecordsPerSecond`.
    /// - Parameter failover: how failed reads are retried (default: the source's retries, nothing reported).
    init(spec: SourceSpec, subtask: Int, parallelism: Int, stop: StopFlag, restore: [SplitState]? = nil,
         rateBudgets: SourceRateBudgets? = nil, failover: SourceFailover? = nil) {
        self.failover = failover ?? SourceFailover(spec: spec, fallback: nil, subtask: subtask, side: .primary, metrics: nil, observer: nil)
        self.spec = spec
        self.stop = stop
        self.generator = NexmarkGenerator(seed: spec.seed)
        self.splitCount = Int64(spec.splits)
        self.splits = (0..<spec.splits).filter { $0 % parallelism == subtask }.map { (Int64($0), 0, 0) }
        self.builder = BatchBuilder(schema: SourceSpec.nexmarkBidSchema, capacity: Int(Self.blockSize))
        self.timeColumn = spec.eventTime.flatMap { SourceSpec.nexmarkBidSchema.index(of: $0.field) }
        self.watermarks = SplitWatermarks(splits: splits.count, maxOutOfOrdernessMs: spec.eventTime?.maxOutOfOrdernessMs ?? 0)
        if let restore {
            let byIndex = Dictionary(restore.map { (Int64($0.index), $0) }, uniquingKeysWith: { a, _ in a })
            for s in splits.indices {
                guard let st = byIndex[splits[s].k] else { continue }
                splits[s].blocksDone = st.position / Self.blockSize
                splits[s].offsetInBlock = st.position % Self.blockSize
                if st.maxEventTime != .min { watermarks.observe(split: s, maxEventTime: st.maxEventTime, now: 0) }
                if st.finished { watermarks.finish(split: s) }
            }
        }
        if let rate = spec.maxRecordsPerSecond {
            // Every subtask's splits that still have bids, from the same positions all subtasks restore.
            let positions = Dictionary((restore ?? []).map { ($0.index, $0.position) }, uniquingKeysWith: { a, _ in a })
            var counts = Array(repeating: 0, count: parallelism)
            for k in 0..<spec.splits
            where Self.hasBids(split: Int64(k), position: positions[k] ?? 0, splits: splitCount, count: spec.count) {
                counts[k % parallelism] += 1
            }
            let budget = (rateBudgets ?? SourceRateBudgets()).budget(for: spec.id, perSecond: rate, activeSplits: counts)
            limiter = RateLimiter(budget: budget, subtask: subtask, sourceRate: rate, parallelism: parallelism)
            limiter?.setActiveSplits(activeSplits)
        }
    }

    /// Whether split `k`, `position` bids into its block sequence, has bids left below `count`.
    static func hasBids(split k: Int64, position: Int64, splits: Int64, count: Int64?) -> Bool {
        guard let count else { return true }
        return (k + position / blockSize * splits) * blockSize + position % blockSize < count
    }

    /// Owned splits that still have bids.
    var activeSplits: Int { splits.indices.reduce(0) { $0 + (exhausted($1) ? 0 : 1) } }

    /// Per owned split: how far it got (blocks done × block size + offset in the current block).
    func snapshotState(checkpoint id: CheckpointID) -> SnapshotPayload? {
        let states = splits.indices.map { s in
            SplitState(index: Int(splits[s].k), path: "", start: 0, end: 0,
                       position: splits[s].blocksDone * Self.blockSize + splits[s].offsetInBlock,
                       finished: exhausted(s), maxEventTime: watermarks.maxSeen[s])
        }
        return SnapshotPayload(named: [SplitState.section: SplitState.encode(states)])
    }

    /// The first bid number of split `s`'s current block.
    private func blockStart(_ s: Int) -> Int64 {
        (splits[s].k + splits[s].blocksDone * splitCount) * Self.blockSize
    }

    private func nextBid(_ s: Int) -> Int64 { blockStart(s) + splits[s].offsetInBlock }

    private func exhausted(_ s: Int) -> Bool {
        guard let count = spec.count else { return false }
        return nextBid(s) >= count
    }

    func next() async throws -> SourceOutput? {
        if let w = pendingWatermark {
            pendingWatermark = nil
            return .watermark(w)
        }
        try Task.checkCancellation()
        if stop.isRequested { return nil }
        if let instead = try await failover.beforeRead() { return instead }
        do throws(StreamrunError) {
            try failover.injectFaults(reading: "the generator")
            failover.readSucceeded()
        } catch {
            _ = try failover.readFailed(error)
            return .pending
        }
        // The owned split whose current block comes first.
        var best: Int?
        for s in splits.indices where !exhausted(s) {
            if best == nil || nextBid(s) < nextBid(best!) { best = s }
        }
        guard let s = best else { return nil }
        var end = min(blockStart(s) + Self.blockSize, nextBid(s) + Int64(limiter?.batchRows ?? Int(Self.blockSize)))
        if let count = spec.count { end = min(end, count) }
        let start = nextBid(s)
        generator.appendBids(start..<end, into: &builder)
        splits[s].offsetInBlock += end - start
        if splits[s].offsetInBlock == Self.blockSize {
            splits[s].blocksDone += 1
            splits[s].offsetInBlock = 0
        }
        let batch = builder.finish()
        if exhausted(s) { watermarks.finish(split: s) }
        if let t = timeColumn {
            if let m = batch.maxInt(column: t) { watermarks.observe(split: s, maxEventTime: EventTime(milliseconds: m), now: 0) }
            if case .watermark(let w) = watermarks.advance(now: 0) { pendingWatermark = w }
        }
        try await limiter?.pace(batch.count)
        if exhausted(s) { limiter?.setActiveSplits(activeSplits) }
        return .records(batch)
    }
}
