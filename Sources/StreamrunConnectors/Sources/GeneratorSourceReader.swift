import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// One subtask of the `generator` source: the Nexmark bid stream, deterministic for a seed.
///
/// The stream is cut into `splits` logical splits (split k holds bids k, k+K, k+2K, …, below `count`);
/// subtask i of p reads the splits k with k mod p = i, round-robin a batch at a time. Each bid is a pure
/// function of (seed, n), so the output does not depend on timing, and splits can be reassigned when
/// the parallelism changes.
final class GeneratorSourceReader: SourceReader {
    let spec: SourceSpec
    let generator: NexmarkGenerator
    let stop: StopFlag
    let splitCount: Int64
    /// For each split this subtask reads: (split index, next j).
    var splits: [(k: Int64, next: Int64)]
    var cursor = 0
    var builder: BatchBuilder
    var watermarks: SplitWatermarks
    let timeColumn: Int?
    var limiter: RateLimiter?
    var pendingWatermark: Int64?
    let batchRows: Int

    init(spec: SourceSpec, subtask: Int, parallelism: Int, stop: StopFlag) {
        self.spec = spec
        self.stop = stop
        self.generator = NexmarkGenerator(seed: spec.seed)
        self.splitCount = Int64(spec.splits)
        self.splits = (0..<spec.splits).filter { $0 % parallelism == subtask }.map { (Int64($0), 0) }
        self.builder = BatchBuilder(schema: SourceSpec.nexmarkBidSchema, capacity: 2048)
        self.timeColumn = spec.eventTime.flatMap { SourceSpec.nexmarkBidSchema.index(of: $0.field) }
        if let rate = spec.maxRecordsPerSecond { limiter = RateLimiter(perSecond: rate / Double(parallelism)) }
        self.batchRows = limiter?.batchRows ?? 2048
        self.watermarks = SplitWatermarks(splits: splits.count, maxOutOfOrdernessMs: spec.eventTime?.maxOutOfOrdernessMs ?? 0)
    }

    /// Bid number of the j-th bid of split k.
    private func bidNumber(_ k: Int64, _ j: Int64) -> Int64 { k + j * splitCount }

    private func done(_ s: Int) -> Bool {
        guard let count = spec.count else { return false }
        return bidNumber(splits[s].k, splits[s].next) >= count
    }

    func next() async throws -> SourceOutput? {
        if let w = pendingWatermark {
            pendingWatermark = nil
            return .watermark(w)
        }
        if stop.isRequested || Task.isCancelled { return nil }
        for _ in 0..<splits.count {
            let s = cursor
            cursor = (cursor + 1) % splits.count
            if done(s) {
                watermarks.finish(split: s)
                continue
            }
            var n = 0
            while n < batchRows && !done(s) {
                generator.appendBid(bidNumber(splits[s].k, splits[s].next), into: &builder)
                splits[s].next += 1
                n += 1
            }
            let batch = builder.finish()
            if done(s) { watermarks.finish(split: s) }
            if let t = timeColumn {
                if let m = batch.maxInt(column: t) { watermarks.observe(split: s, maxEventTime: m) }
                pendingWatermark = watermarks.advance()
            }
            try await limiter?.pace(n)
            return .records(batch)
        }
        return nil
    }
}
