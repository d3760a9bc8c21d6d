import StreamrunCore
import StreamrunIO
import StreamrunPlan
import StreamrunRuntime

/// One subtask of a `file` sink: writes rows to part files, one open file per partition, rolling past
/// `rollSize`, and hands closed files to the ``FileCommitter``.
///
/// Output is buffered and written with write(2) in large chunks; every closed file is fsynced.
final class FileSinkWriter: StreamOperator {
    struct OpenFile {
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

    init(names: PartFileNames, encoder: SinkEncoding, partition: CompiledExpression?, rollBytes: Int, committer: FileCommitter) {
        self.names = names
        self.encoder = encoder
        self.partition = partition
        self.rollBytes = rollBytes
        self.committer = committer
    }

    func process(_ batch: RecordBatch, context: OperatorContext) async throws {
        guard let partition else {
            try write(batch, rows: nil, partition: nil)
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
        for key in order { try write(batch, rows: groups[key]!, partition: .some(key ?? PartFileNames.defaultPartition)) }
    }

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

    private func write(_ batch: RecordBatch, rows: [Int32]?, partition key: String?) throws(StreamrunError) {
        if files[key] == nil { try open(key) }
        encoder.encode(batch, rows: rows, into: &files[key]!.buffer)
        if files[key]!.buffer.count >= flushBytes { try flush(key) }
        if files[key]!.written + files[key]!.buffer.count >= rollBytes { try close(key) }
    }

    private func open(_ key: String?) throws(StreamrunError) {
        let seq = nextSequence[key] ?? restoredSequences[names.subtask]?[names.relativeDirectory(partition: key)] ?? 0
        nextSequence[key] = seq + 1
        let dir = names.directory(partition: key)
        try FileIO.makeDirectories(dir)
        let path = names.inProgressPath(partition: key, sequence: seq)
        let fd = try FileIO.create(path)
        committer.opened(path)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(flushBytes + (flushBytes >> 2))
        if let h = encoder.fileHeader { buffer.append(contentsOf: h) }
        files[key] = OpenFile(fd: fd, sequence: seq, written: 0, buffer: buffer)
    }

    private func flush(_ key: String?) throws(StreamrunError) {
        guard var f = files[key], !f.buffer.isEmpty else { return }
        let path = names.inProgressPath(partition: key, sequence: f.sequence)
        try FileIO.writeAll(f.fd, f.buffer, path: path)
        f.written += f.buffer.count
        f.buffer.removeAll(keepingCapacity: true)
        files[key] = f
    }

    private func close(_ key: String?) throws(StreamrunError) {
        try flush(key)
        guard let f = files.removeValue(forKey: key) else { return }
        let path = names.inProgressPath(partition: key, sequence: f.sequence)
        try FileIO.fsync(f.fd, path: path)
        FileIO.close(f.fd)
        let pending = FileCommitter.Pending(inProgress: path, final: names.finalPath(partition: key, sequence: f.sequence),
                                            directory: names.directory(partition: key))
        committer.closed(pending)
        closedSinceCheckpoint.append(pending)
    }

    deinit {
        for f in files.values { FileIO.close(f.fd) }
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
