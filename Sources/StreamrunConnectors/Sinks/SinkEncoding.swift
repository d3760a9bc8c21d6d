import StreamrunCore
import StreamrunPlan

/// How a sink turns batches into file bytes: the record encoder for its format and columns, the header
/// every file starts with (a CSV header line, when asked for), and the file extension.
struct SinkEncoding {
    let encoder: any RecordEncoder
    let fileHeader: [UInt8]?
    let fileExtension: String

    init(sink: SinkPlan, schema: Schema) {
        let columns = EncoderColumns(indices: sink.columns, names: sink.columnNames, types: sink.columns.map { schema[$0].type })
        encoder = RecordEncoders.make(sink.spec.format, columns: columns)
        fileHeader = sink.spec.format == .csv && sink.spec.header ? CSVEncoder.header(sink.columnNames) : nil
        fileExtension = sink.spec.format.rawValue
    }

    func encode(_ batch: RecordBatch, rows: [Int32]?, into out: inout [UInt8]) {
        encoder.encode(batch, rows: rows, into: &out)
    }
}
