import StreamrunCore

/// Records every batch and watermark sent to it: the far end of an output in tests and tools.
public final class CollectingOperator: StreamOperator {
    public private(set) var batches: [RecordBatch] = []
    public private(set) var watermarks: [Watermark] = []
    public private(set) var finished = false

    public init() {}

    public func process(_ batch: RecordBatch, context: OperatorContext) async throws { batches.append(batch) }
    public func processWatermark(_ watermark: Watermark, context: OperatorContext) async throws { watermarks.append(watermark) }
    public func finish(context: OperatorContext) async throws { finished = true }

    /// Every row received, in order.
    public func rows(schema: Schema) -> [[Value]] { batches.flatMap { $0.rows(schema: schema) } }

    /// Forgets what was received so far.
    public func clear() {
        batches = []
        watermarks = []
    }
}

extension OperatorContext {
    /// A context whose main (and, with `late`, late) output feeds a ``CollectingOperator``, so an
    /// operator can be driven directly — in tests, without a job runner.
    public static func collecting(nodeID: NodeID = "test", subtask: Int = 0, parallelism: Int = 1,
                                  maxParallelism: Int = KeyGroups.defaultMaxParallelism, late: Bool = false,
                                  metrics: NodeMetrics? = nil)
        -> (context: OperatorContext, main: CollectingOperator, late: CollectingOperator?) {
        func output() -> (Output, CollectingOperator) {
            let out = Output(metrics: nil)
            let sink = CollectingOperator()
            let sinkContext = OperatorContext(nodeID: NodeID(nodeID.name + ".collector"), subtask: subtask, parallelism: parallelism,
                                              main: Output(metrics: nil), late: nil)
            out.chained.append(Output.Chained(op: sink, context: sinkContext, metrics: NodeMetrics(id: NodeID(nodeID.name + ".collector"), kind: "collector")))
            return (out, sink)
        }
        let (main, mainSink) = output()
        let lateOutput = late ? output() : nil
        let context = OperatorContext(nodeID: nodeID, subtask: subtask, parallelism: parallelism, main: main,
                                      late: lateOutput?.0, metrics: metrics ?? NodeMetrics(id: nodeID, kind: "test"),
                                      maxParallelism: maxParallelism)
        return (context, mainSink, lateOutput?.1)
    }
}
