import Synchronization

/// The `maxRecordsPerSecond` of one source, shared by its subtasks in proportion to the splits each
/// still has active, so that the source as a whole reads at the configured rate however its splits
/// land on subtasks (a subtask without a split takes nothing; one with two of three splits takes
/// two thirds).
///
/// A split is active until it is finished: a split of a followed file stays active while it waits
/// for new lines. Every subtask of a run shares one budget (``SourceRateBudgets``); each reports its
/// own count, and starts from the counts the split assignment gives every subtask, so no subtask
/// takes the whole rate before the others have started.
final class SourceRateBudget: Sendable {
    let perSecond: Double
    private let active: Mutex<[Int]>

    /// - Parameter activeSplits: the active splits of every subtask, by subtask index.
    init(perSecond: Double, activeSplits: [Int]) {
        self.perSecond = perSecond
        self.active = Mutex(activeSplits)
    }

    /// Records per second for `subtask` now.
    func rate(subtask: Int) -> Double {
        active.withLock { a in
            Self.share(perSecond, active: subtask < a.count ? a[subtask] : 0, ofAll: a.reduce(0, +))
        }
    }

    func setActiveSplits(_ n: Int, subtask: Int) {
        active.withLock { a in
            if subtask >= a.count { a += repeatElement(0, count: subtask + 1 - a.count) }
            a[subtask] = n
        }
    }

    /// The part of `perSecond` that `active` of `ofAll` active splits get (0 when none is active).
    static func share(_ perSecond: Double, active: Int, ofAll all: Int) -> Double {
        guard active > 0, all > 0 else { return 0 }
        return perSecond * Double(min(active, all)) / Double(all)
    }
}

/// The rate budgets of one run of a job, one per rate-limited source, created by the first of its
/// subtasks to start.
final class SourceRateBudgets: Sendable {
    private let budgets = Mutex<[String: SourceRateBudget]>([:])

    init() {}

    /// The budget of source `id`; `activeSplits` (every subtask's count) is used only to create it.
    func budget(for id: String, perSecond: Double, activeSplits: [Int]) -> SourceRateBudget {
        budgets.withLock { b in
            if let existing = b[id] { return existing }
            let new = SourceRateBudget(perSecond: perSecond, activeSplits: activeSplits)
            b[id] = new
            return new
        }
    }
}
