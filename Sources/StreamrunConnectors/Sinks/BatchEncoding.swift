import StreamrunCore

/// Turns rows of a batch into bytes of one output format (JSON lines or CSV).
protocol BatchEncoding {
    /// Appends the encoding of `rows` of `batch` (every row when nil) to `out`.
    func encode(_ batch: RecordBatch, rows: [Int32]?, into out: inout [UInt8])
    /// Bytes written at the top of every file (a CSV header), if any.
    var fileHeader: [UInt8]? { get }
    var fileExtension: String { get }
}
