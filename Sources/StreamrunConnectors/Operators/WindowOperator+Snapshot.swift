import StreamrunCheckpoint
import StreamrunCore
import StreamrunRuntime

extension WindowStateMachine {
    /// Copy-on-write copies of everything needed to continue: O(key groups), no encoding.
    func capture() -> WindowStateCapture<Key> {
        WindowStateCapture(groups: store.snapshot(), keyTypes: config.keyTypes, watermark: watermark, sequence: sequence)
    }

    /// A state machine restored from checkpoint bytes; see ``WindowStateCodec`` for the format and
    /// the rules for combining the named sections of several old subtasks (rescaling).
    ///
    /// - Parameters:
    ///   - keyGroups: the key groups this subtask owns, as snapshotted (absent groups hold no state).
    ///   - named: the named sections of every old subtask; empty starts from nothing.
    init(config: WindowConfig, maxParallelism: Int, restoring keyGroups: [Int: [UInt8]],
         named: [[String: [UInt8]]]) throws(StreamrunError) {
        let watermarks = try Int64StateSection.all(named, name: WindowStateCodec.watermarkSection)
        let sequences = try Int64StateSection.all(named, name: WindowStateCodec.sequenceSection)
        var store = KeyedStateStore<Key, WindowList>(maxParallelism: maxParallelism, ttlMs: config.stateTtlMs)
        var timers = TimerHeap<WindowTimer<Key>>()
        let lateness = config.allowedLatenessMs
        let aggregators = config.aggregators
        for g in keyGroups.keys.sorted() {
            try KeyedStateSnapshot.decode(
                keyGroups[g]!, group: g, into: &store, keyTypes: config.keyTypes, versions: WindowStateCodec.versions,
                value: { (r: inout SnapshotReader, _: UInt8) throws(StreamrunError) in
                    try WindowStateCodec.readWindowsV1(&r, aggregators: aggregators)
                },
                restored: { key, wins in
                    for w in wins {
                        let maxTs = EventTime.maxTimestamp(end: w.end)
                        let time = w.fired ? EventTime.add(maxTs, lateness) : maxTs
                        timers.push(WindowTimer(time: time, end: w.end, group: g, key: key))
                    }
                })
        }
        self.init(config: config, store: store, timers: timers, watermark: Watermark(milliseconds: watermarks.min() ?? .min),
                  sequence: sequences.max() ?? 0)
    }
}

extension WindowOperator: RestorableOperator {
    /// Captures the state and encodes it in the same call (encoding can later move off the task:
    /// ``WindowStateMachine/capture()`` is the only part that must run here).
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        prepare(context)
        return WindowStateCodec.encode(machine!.capture())
    }

    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError) {
        if let fixed = fixedMaxParallelism, fixed != maxParallelism {
            throw StreamrunError(.internalError, "window: restoring with maxParallelism \(maxParallelism), built for \(fixed)", retry: .internal)
        }
        machine = try WindowStateMachine(config: config, maxParallelism: maxParallelism, restoring: keyGroups, named: named)
    }
}
