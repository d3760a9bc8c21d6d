import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// The event-time window logic of one subtask, without I/O: feed it batches and watermarks, and it
/// returns what to emit.
///
/// - A window `[s, e)` fires when the watermark reaches `e - 1`; it is purged when the watermark
///   reaches `e - 1 + allowedLateness` (at once when the lateness is 0).
/// - A record is late for a window once that window's purge time is at or before the watermark.
///   A record late for every window it belongs to (or with a null event time) goes to the late
///   output unchanged.
/// - A record for a window that has already fired but is kept (allowed lateness) updates it, and the
///   window's full result is emitted again after the batch (once per window per batch).
/// - Results emitted together (on one watermark advance, or after one batch) are ordered by
///   (window_end, window_start, key in ``KeyCodec`` order), so output never depends on how
///   watermarks were batched, and at parallelism > 1 sorting the union gives the parallelism-1 output.
/// - With a state TTL, a key not written for that long (event time) loses all its windows as the
///   watermark passes — after the windows due at that watermark have fired.
struct WindowStateMachine<Key: StateKey> {
    let config: WindowConfig
    private(set) var store: KeyedStateStore<Key, WindowList>
    private(set) var timers = TimerHeap<WindowTimer<Key>>()
    private(set) var watermark: Watermark = .min
    /// Arrival number of the next record (ties of `first`/`last`).
    private(set) var sequence: Int64 = 0
    /// Fired windows updated in the current batch: (group, key, end).
    private var dirty: [(group: Int, key: Key, end: Int64)] = []

    /// What a batch produced: re-emitted results, and the late rows.
    struct Output {
        var results: [RecordBatch] = []
        var late: RecordBatch?
        var lateCount: Int { late?.count ?? 0 }
    }

    /// Results are emitted in batches of at most this many rows.
    static var outputBatchRows: Int { 4096 }

    init(config: WindowConfig, maxParallelism: Int) {
        self.config = config
        self.store = KeyedStateStore(maxParallelism: maxParallelism, ttlMs: config.stateTtlMs)
    }

    /// A state machine continuing from restored parts (see `WindowOperator+Snapshot.swift`).
    init(config: WindowConfig, store: KeyedStateStore<Key, WindowList>, timers: TimerHeap<WindowTimer<Key>>,
         watermark: Watermark, sequence: Int64) {
        self.config = config
        self.store = store
        self.timers = timers
        self.watermark = watermark
        self.sequence = sequence
    }

    /// The number of open windows (all keys).
    var openWindows: Int {
        var n = 0
        for g in store.nonEmptyGroups { store.forEach(group: g) { _, w in n += w.count } }
        return n
    }

    // MARK: - Records

    mutating func process(_ batch: RecordBatch) throws -> Output {
        var out = Output()
        guard batch.count > 0 else { return out }
        let timeColumn = batch.columns[config.timeField]
        guard case .int(let times) = timeColumn.storage else {
            throw StreamrunError(.internalError, "window: the event-time column is not an int column", retry: .internal)
        }
        let timeValid = timeColumn.validity
        let keys = Key.keys(of: batch, fields: config.keyFields, types: config.keyTypes)
        let hashes = batch.keyHashes(config.keyFields)
        let aggs = config.aggregators
        let args = try aggs.map { try $0.arguments(batch) }
        let w = watermark.milliseconds
        let lateness = config.allowedLatenessMs
        var lateRows: [Int32] = []
        var created: [Int64] = []
        var dirtied: [Int64] = []

        for i in 0..<batch.count {
            if let v = timeValid, !v[i] {
                lateRows.append(Int32(i))
                continue
            }
            let t = times[i]
            let seq = sequence
            sequence &+= 1
            let key = keys[i]
            let g = store.group(forHash: hashes[i])
            let touch = EventTime(milliseconds: Swift.max(t, w))
            created.removeAll(keepingCapacity: true)
            dirtied.removeAll(keepingCapacity: true)
            let row = RowUpdate(aggs: aggs, args: args, row: i, time: t, seq: seq, watermark: w)

            switch config.window {
            case .tumbling(let size):
                let s = EventTime.multiply(Timestamps.floorDiv(t, size), size)
                let e = EventTime.add(s, size)
                if Self.isLate(end: e, watermark: w, lateness: lateness) {
                    lateRows.append(Int32(i))
                    continue
                }
                store.update(key, group: g, touchedAt: touch, orInsert: { [] }) { wins in
                    row.accumulate(&wins, start: s, end: e, created: &created, dirtied: &dirtied)
                }
            case .sliding(let size, let slide):
                let last = EventTime.multiply(Timestamps.floorDiv(t, slide), slide)
                if Self.isLate(end: EventTime.add(last, size), watermark: w, lateness: lateness) {
                    lateRows.append(Int32(i))
                    continue
                }
                store.update(key, group: g, touchedAt: touch, orInsert: { [] }) { wins in
                    var s = last
                    while EventTime.add(s, size) > t {
                        let e = EventTime.add(s, size)
                        if !Self.isLate(end: e, watermark: w, lateness: lateness) {
                            row.accumulate(&wins, start: s, end: e, created: &created, dirtied: &dirtied)
                        }
                        if s == .min { break }
                        s = EventTime.add(s, -slide)
                    }
                }
            case .session(let gap):
                let e = EventTime.add(t, gap)
                if Self.isLate(end: e, watermark: w, lateness: lateness) {
                    // Late on its own; it may still extend a kept session.
                    let existing = store.value(key, group: g) ?? []
                    let mergedEnd = Self.sessionBounds(existing, start: t, end: e).end
                    if Self.isLate(end: mergedEnd, watermark: w, lateness: lateness) {
                        lateRows.append(Int32(i))
                        continue
                    }
                }
                store.update(key, group: g, touchedAt: touch, orInsert: { [] }) { wins in
                    row.addToSession(&wins, start: t, end: e, created: &created, dirtied: &dirtied)
                }
            }
            for end in created {
                let maxTs = EventTime.maxTimestamp(end: end)
                let time = maxTs <= w ? EventTime.add(maxTs, lateness) : maxTs
                timers.push(WindowTimer(time: time, end: end, group: g, key: key))
            }
            for end in dirtied { dirty.append((g, key, end)) }
        }

        out.results = flushDirty()
        if !lateRows.isEmpty { out.late = lateRows.count == batch.count ? batch : batch.gather(lateRows) }
        return out
    }

    /// True when a window ending at `end` is already purged, or would be, at `watermark`.
    @inline(__always) static func isLate(end: Int64, watermark: Int64, lateness: Int64) -> Bool {
        EventTime.add(EventTime.maxTimestamp(end: end), lateness) <= watermark
    }

    /// The bounds of the session a record `[start, end)` would join (Flink's rule: windows that
    /// overlap or touch merge).
    static func sessionBounds(_ wins: WindowList, start: Int64, end: Int64) -> (start: Int64, end: Int64) {
        var s = start, e = end
        for w in wins where w.start <= end && w.end >= start {
            s = Swift.min(s, w.start)
            e = Swift.max(e, w.end)
        }
        return (s, e)
    }

    /// Re-emits fired windows updated by the batch.
    private mutating func flushDirty() -> [RecordBatch] {
        guard !dirty.isEmpty else { return [] }
        var results: [WindowResult<Key>] = []
        for d in dirty {
            let r: WindowResult<Key>?? = store.modify(d.key, group: d.group) { wins in
                guard let j = wins.firstIndex(where: { $0.end == d.end }), wins[j].dirty else { return nil }
                wins[j].dirty = false
                return WindowResult(key: d.key, start: wins[j].start, end: wins[j].end, accs: wins[j].accs)
            }
            if let r = r ?? nil { results.append(r) }
        }
        dirty.removeAll(keepingCapacity: true)
        return build(results)
    }

    // MARK: - Watermarks

    /// Advances event time to `watermark`: fires every window with `end - 1 <= watermark`, purges
    /// those past their allowed lateness, then expires TTL'd keys. Returns the fired results, in
    /// output order.
    mutating func advance(to watermark: Watermark) -> [RecordBatch] {
        guard watermark > self.watermark else { return [] }
        self.watermark = watermark
        let w = watermark.milliseconds
        let lateness = config.allowedLatenessMs
        var results: [WindowResult<Key>] = []
        while let timer = timers.pop(where: { $0.time <= w }) {
            let outcome: (result: WindowResult<Key>?, next: Int64?, empty: Bool)? = store.modify(timer.key, group: timer.group) { wins in
                guard let j = wins.firstIndex(where: { $0.end == timer.end }) else { return (nil, nil, false) }
                let maxTs = EventTime.maxTimestamp(end: timer.end)
                var result: WindowResult<Key>?
                if !wins[j].fired {
                    guard maxTs <= w else { return (nil, nil, false) }
                    wins[j].fired = true
                    result = WindowResult(key: timer.key, start: wins[j].start, end: wins[j].end, accs: wins[j].accs)
                }
                let cleanup = EventTime.add(maxTs, lateness)
                if cleanup <= w {
                    wins.remove(at: j)
                    return (result, nil, wins.isEmpty)
                }
                return (result, timer.time < cleanup ? cleanup : nil, false)
            }
            guard let outcome else { continue }
            if let r = outcome.result { results.append(r) }
            if let next = outcome.next { timers.push(WindowTimer(time: next, end: timer.end, group: timer.group, key: timer.key)) }
            if outcome.empty { store.remove(timer.key, group: timer.group) }
        }
        store.expire(watermark: watermark)
        return build(results)
    }

    // MARK: - Output

    /// Sorts results into output order and builds batches of the output schema.
    func build(_ unsorted: [WindowResult<Key>]) -> [RecordBatch] {
        guard !unsorted.isEmpty else { return [] }
        let results = unsorted.sorted()
        let nKeys = config.keyFields.count
        let aggs = config.aggregators
        var batches: [RecordBatch] = []
        var builder = BatchBuilder(schema: config.outputSchema, capacity: Swift.min(results.count, Self.outputBatchRows))
        for r in results {
            r.key.append(to: &builder, firstColumn: 0)
            builder.appendInt(nKeys, r.start)
            builder.appendInt(nKeys + 1, r.end)
            for (a, agg) in aggs.enumerated() { agg.append(r.accs[a], to: &builder, column: nKeys + 2 + a) }
            builder.endRow()
            if builder.count == Self.outputBatchRows { batches.append(builder.finish()) }
        }
        if builder.count > 0 { batches.append(builder.finish()) }
        return batches
    }
}

/// Folding one record into the windows of its key.
struct RowUpdate {
    let aggs: [Aggregator]
    let args: [Column?]
    let row: Int
    let time: Int64
    let seq: Int64
    let watermark: Int64

    /// Adds the record to the window `[start, end)` of `wins`, creating it if needed. New windows'
    /// ends go to `created` (they need a timer); windows that need re-emission go to `dirtied`.
    @inline(__always) func accumulate(_ wins: inout WindowList, start: Int64, end: Int64,
                                      created: inout [Int64], dirtied: inout [Int64]) {
        var j = 0
        while j < wins.count && wins[j].start != start { j += 1 }
        if j == wins.count {
            let fired = EventTime.maxTimestamp(end: end) <= watermark
            wins.append(WindowState(start: start, end: end, fired: fired, dirty: false, accs: SmallArray(aggs.lazy.map(\.initial))))
            created.append(end)
        }
        update(&wins[j], dirtied: &dirtied)
    }

    /// Adds the record's session `[start, end)` to `wins`, merging every session it overlaps or
    /// touches into one.
    func addToSession(_ wins: inout WindowList, start: Int64, end: Int64,
                      created: inout [Int64], dirtied: inout [Int64]) {
        var keep = -1
        var maxOldEnd = Int64.min
        var j = 0
        while j < wins.count {
            guard wins[j].start <= end && wins[j].end >= start else {
                j += 1
                continue
            }
            maxOldEnd = Swift.max(maxOldEnd, wins[j].end)
            if keep < 0 {
                keep = j
                j += 1
                continue
            }
            let other = wins.remove(at: j)
            wins[keep].start = Swift.min(wins[keep].start, other.start)
            wins[keep].end = Swift.max(wins[keep].end, other.end)
            for a in aggs.indices { aggs[a].merge(&wins[keep].accs[a], other.accs[a]) }
        }
        if keep < 0 {
            let fired = EventTime.maxTimestamp(end: end) <= watermark
            wins.append(WindowState(start: start, end: end, fired: fired, dirty: false, accs: SmallArray(aggs.lazy.map(\.initial))))
            created.append(end)
            update(&wins[wins.count - 1], dirtied: &dirtied)
            return
        }
        wins[keep].start = Swift.min(wins[keep].start, start)
        wins[keep].end = Swift.max(wins[keep].end, end)
        if end > maxOldEnd { created.append(end) }
        wins[keep].fired = EventTime.maxTimestamp(end: wins[keep].end) <= watermark
        wins[keep].dirty = false
        update(&wins[keep], dirtied: &dirtied)
    }

    @inline(__always) func update(_ window: inout WindowState, dirtied: inout [Int64]) {
        for a in aggs.indices { aggs[a].update(&window.accs[a], args[a], row, time: time, seq: seq) }
        if window.fired && !window.dirty {
            window.dirty = true
            dirtied.append(window.end)
        }
    }
}
