/// Paces one source subtask to its share of the source's `maxRecordsPerSecond` (wall-clock pacing
/// only; it never touches the data, whose event time always comes from the records).
///
/// The share comes from the source's ``SourceRateBudget`` at each call, so it follows the splits as
/// they finish: the records emitted so far are due at the rates they were emitted at, and a subtask
/// that fell behind catches up without sleeping.
struct RateLimiter {
    let budget: SourceRateBudget
    let subtask: Int
    let clock = ContinuousClock()
    /// When the records emitted so far are due.
    var due: ContinuousClock.Instant?

    /// Rows per batch: fixed from the source's rate and parallelism, never from the current share,
    /// which follows other subtasks' progress (thread timing): batch sizes decide how a subtask's splits
    /// interleave in its output, and that must be the same in every run.
    let batchRows: Int

    init(budget: SourceRateBudget, subtask: Int, sourceRate: Double, parallelism: Int) {
        self.budget = budget
        self.subtask = subtask
        self.batchRows = Self.batchRows(perSecond: sourceRate / Double(max(parallelism, 1)))
    }

    /// This subtask's records per second now.
    var perSecond: Double { budget.rate(subtask: subtask) }

    /// Rows per batch that keep the output smooth (about 20 batches a second).

    static func batchRows(perSecond: Double) -> Int {
        guard perSecond.isFinite else { return 2048 }
        return max(1, min(2048, Int(perSecond / 20)))
    }

    /// Tells the budget how many of this subtask's splits are still active.
    func setActiveSplits(_ n: Int) { budget.setActiveSplits(n, subtask: subtask) }

    /// Call after emitting `n` records; sleeps until they are due at this subtask's current rate.
    mutating func pace(_ n: Int) async throws {
        let rate = perSecond
        let now = clock.now
        let start = due ?? now
        // A subtask without an active split has no budget: its last batch costs nothing.
        guard rate > 0 else { return }
        let next = start.advanced(by: .seconds(min(Double(n) / rate, 1e9)))
        due = next
        if next > now { try await Task.sleep(until: next, clock: clock) }
    }
}
