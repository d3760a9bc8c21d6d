import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime

/// One subtask of a `file` sink: writes rows to part files, one open file per partition, rolling past
/// `rollSize`, and hands closed files to the ``FileCommitter``.
///
/// Output is buffered and written with write(2) in large chunks; every closed file is fsynced.
///
/// A batch is first encoded into the files' buffers (no I/O), then written out. A write that fails
/// part of the way is cut back (``FileIO/truncate(_:to:path:)``), so a retry in place
/// (``resume(context:)``) writes the same bytes again; a failed fsync is never retried in place.
final class FileSinkWriter: RetryableSinkWriter {
    struct OpenFile {
        /// -1 until the first write creates the file.
        var fd: Int32
        var sequence: Int
        var written: Int
        var buffer: [UInt8]
    }

    let names: PartFileNames
    let encoder: SinkEncoding
    let partition: CompiledExpression?
    let rollBytes: Int
    let committer: FileCommitter
    let flushBytes = 1 << 20
    var files: [String?: OpenFile] = [:]
    var nextSequence: [String?: Int] = [:]
    /// Files closed since the last snapshot.
    var closedSinceCheckpoint: [FileCommitter.Pending] = []
    /// Files closed for each snapshot taken and not yet known to be committed. A checkpoint that is
    /// abandoned (timed out, replaced by a stop) or fails to persist never commits its files, so
    /// each snapshot lists every file since the newest checkpoint the sink has committed: the next
    /// checkpoint that completes commits them (Flink's committer keeps uncommitted committables
    /// the same way). Committing a file twice is a no-op.
    var uncommitted: [(checkpoint: CheckpointID, files: [FileCommitter.Pending])] = []
    /// Next sequence per subtask index and partition directory, from the checkpoint this run resumed
    /// from (merged over its old subtasks; see ``FileSinkState``).
    var restoredSequences: [Int: [String: Int]] = [:]
    /// A batch was encoded and its I/O failed: ``resume(context:)`` finishes it.
    var undrained: [String?] = []
    var fsyncFailed = false

    init(names: PartFileNames, encoder: SinkEncoding, partition: CompiledExpression?, rollBytes: Int, committer: FileCommitter) {
        self.names = names
        self.encoder = encoder
        self.partition = partition
        self.rollBytes = rollBytes
        self.committer = committer
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        guard batch.count > 0 else { return }
        guard let partition else {
            encode(batch, rows: nil, partition: nil)
            undrained = [nil]
            try drain()
            return
        }
        let values = try partition.evaluate(batch)
        var groups: [String?: [Int32]] = [:]
        var order: [String?] = []
        for row in 0..<batch.count {
            let key = PartitionValue.string(values, row)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(Int32(row))
        }
        let keys = order.map { String?.some($0 ?? PartFileNames.defaultPartition) }
        for (key, raw) in zip(keys, order) { encode(batch, rows: groups[raw]!, partition: key) }
        undrained = keys
        try drain()
    }

    var retryAction: SinkRetry { fsyncFailed ? .impossible : undrained.isEmpty ? .again : .resume }

    func resume(context: OperatorContext) async throws { try drain() }

    /// Checkpoint: close every open file to *pending* and hand the pending files (every one not
    /// yet committed) and the sequence numbers to the checkpoint. The files are published when the
    /// checkpoint completes.
    func snapshotState(checkpoint id: CheckpointID, context: OperatorContext) async throws -> SnapshotPayload? {
        for key in files.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) { try close(key) }
        var sequences = restoredSequences
        for (key, seq) in nextSequence { sequences[names.subtask, default: [:]][names.relativeDirectory(partition: key)] = seq }
        uncommitted.append((id, closedSinceCheckpoint))
        closedSinceCheckpoint = []
        let committed = committer.committedThrough
        uncommitted.removeAll { $0.checkpoint <= committed }
        let state = FileSinkState(pending: uncommitted.flatMap(\.files), sequences: sequences)
        return SnapshotPayload(named: state.payload())
    }

    func finish(context: OperatorContext) async throws {
        for key in files.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) { try close(key) }
    }

    /// Appends rows to the partition's buffer, starting a file (a sequence number, not yet created) if none is open.
    private func encode(_ batch: RecordBatch, rows: [Int32]?, partition key: String?) {
        if files[key] == nil {
            let seq = nextSequence[key] ?? restoredSequences[names.subtask]?[names.relativeDirectory(partition: key)] ?? 0
            nextSequence[key] = seq + 1
            var buffer: [UInt8] = []
            buffer.reserveCapacity(flushBytes + (flushBytes >> 2))
            if let h = encoder.fileHeader { buffer.append(contentsOf: h) }
            files[key] = OpenFile(fd: -1, sequence: seq, written: 0, buffer: buffer)
        }
        encoder.encode(batch, rows: rows, into: &files[key]!.buffer)
    }

    /// Writes out what the last batch left past the flush or roll size, partition by partition.
    private func drain() throws(StreamrunError) {
        while let key = undrained.first {
            if let f = files[key] {
                if f.fd < 0 { try create(key) }
                if f.buffer.count >= flushBytes { try flush(key) }
                if files[key]!.written + files[key]!.buffer.count >= rollBytes { try close(key) }
            }
            undrained.removeFirst()
        }
    }

    /// Creates the in-progress file of the partition's open file (at its first batch).
    private func create(_ key: String?) throws(StreamrunError) {
        let path = names.inProgressPath(partition: key, sequence: files[key]!.sequence)
        try FileIO.makeDirectories(names.directory(partition: key))
        files[key]!.fd = try FileIO.create(path)
        committer.opened(path)
    }

    private func flush(_ key: String?) throws(StreamrunError) {
        guard files[key] != nil, !files[key]!.buffer.isEmpty else { return }
        if files[key]!.fd < 0 { try create(key) }
        var f = files[key]!
        let path = names.inProgressPath(partition: key, sequence: f.sequence)
        do {
            try FileIO.writeAll(f.fd, f.buffer, path: path)
        } catch {
            // Part of the buffer may be on disk: cut it off, so writing the buffer again is exact.
            try FileIO.truncate(f.fd, to: f.written, path: path)
            throw error
        }
        f.written += f.buffer.count
        f.buffer.removeAll(keepingCapacity: true)
        files[key] = f
    }

    private func close(_ key: String?) throws(StreamrunError) {
        try flush(key)
        guard let f = files[key] else { return }
        guard f.fd >= 0 else {
            files[key] = nil  // nothing was ever written to it
            return
        }
        let path = names.inProgressPath(partition: key, sequence: f.sequence)
        do {
            try FileIO.fsync(f.fd, path: path)
        } catch {
            fsyncFailed = true
            throw error
        }
        files[key] = nil
        FileIO.close(f.fd)
        let pending = FileCommitter.Pending(inProgress: path, final: names.finalPath(partition: key, sequence: f.sequence),
                                            directory: names.directory(partition: key))
        committer.closed(pending)
        closedSinceCheckpoint.append(pending)
    }

    deinit {
        for f in files.values where f.fd >= 0 { FileIO.close(f.fd) }
    }
}

/// How a partition expression's value names a directory.
enum PartitionValue {
    static func string(_ column: Column, _ row: Int) -> String? {
        if column.isNull(row) { return nil }
        switch column.storage {
        case .int(let a): return String(a[row])
        case .float(let a): return FloatFormat.string(a[row])
        case .bool(let a): return a[row] ? "true" : "false"
        case .string(let s): return s[row]
        }
    }
}
