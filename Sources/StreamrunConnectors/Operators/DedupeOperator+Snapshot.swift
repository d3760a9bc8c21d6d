import StreamrunCheckpoint
import StreamrunCore
import StreamrunRuntime

extension DedupeStateMachine {
    /// A copy-on-write copy of the state: O(key groups), no encoding.
    func capture() -> DedupeStateCapture<Key> {
        DedupeStateCapture(groups: store.snapshot(), keyTypes: keyTypes, watermark: watermark)
    }

    /// A state machine restored from checkpoint bytes; see ``DedupeStateCodec`` for the format and
    /// how the named sections of several old subtasks combine (rescaling).
    init(keyFields: [Int], keyTypes: [FieldType], timeField: Int, withinMs: Int64, maxParallelism: Int,
         restoring keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]]) throws(StreamrunError) {
        let watermarks = try Int64StateSection.all(named, name: DedupeStateCodec.watermarkSection)
        var store = Self.emptyStore(withinMs: withinMs, maxParallelism: maxParallelism)
        for g in keyGroups.keys.sorted() {
            try KeyedStateSnapshot.decode(
                keyGroups[g]!, group: g, into: &store, keyTypes: keyTypes, versions: DedupeStateCodec.versions,
                value: { (r: inout SnapshotReader, _: UInt8) throws(StreamrunError) in EventTime(milliseconds: try r.readVarInt()) })
        }
        self.init(keyFields: keyFields, keyTypes: keyTypes, timeField: timeField, withinMs: withinMs, store: store,
                  watermark: Watermark(milliseconds: watermarks.min() ?? .min))
    }
}

extension DedupeOperator: RestorableOperator {
    /// Captures the state and encodes it in the same call (only ``DedupeStateMachine/capture()`` must
    /// run on the task).
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        try prepare(maxParallelism: context.maxParallelism, nodeID: context.nodeID)
        return DedupeStateCodec.encode(machine!.capture())
    }

    func restoreState(keyGroups: [Int: [UInt8]], named: [[String: [UInt8]]], maxParallelism: Int) throws(StreamrunError) {
        if let fixed = fixedMaxParallelism, fixed != maxParallelism {
            throw StreamrunError(.internalError, "dedupe: restoring with maxParallelism \(maxParallelism), built for \(fixed)", retry: .internal)
        }
        guard let time = plan.timeField else {
            throw StreamrunError(.internalError, "dedupe has no event-time field", retry: .internal)
        }
        machine = try DedupeStateMachine(keyFields: plan.keyFields, keyTypes: keyTypes, timeField: time, withinMs: plan.withinMs,
                                         maxParallelism: maxParallelism, restoring: keyGroups, named: named)
    }
}
