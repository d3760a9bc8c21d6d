/// Paces a source to at most `perSecond` records per second (wall-clock pacing only; it never touches
/// the data, whose event time always comes from the records).
struct RateLimiter {
    let perSecond: Double
    let clock = ContinuousClock()
    var start: ContinuousClock.Instant?
    var emitted: Double = 0

    init(perSecond: Double) { self.perSecond = perSecond }

    /// Rows per batch that keep the output smooth (about 20 batches a second).
    var batchRows: Int { max(1, min(2048, Int(perSecond / 20))) }

    /// Call after emitting `n` records; sleeps until they are due.
    mutating func pace(_ n: Int) async throws {
        let now = clock.now
        if start == nil { start = now }
        emitted += Double(n)
        let due = start!.advanced(by: .nanoseconds(Int64(emitted / perSecond * 1e9)))
        if due > now { try await Task.sleep(until: due, clock: clock) }
    }
}
