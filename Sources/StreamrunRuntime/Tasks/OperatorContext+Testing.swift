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
        let (main, mainSink) = collectingOutput(nodeID, subtask: subtask, parallelism: parallelism)
        let lateOutput = late ? collectingOutput(nodeID, subtask: subtask, parallelism: parallelism) : nil
        let context = OperatorContext(nodeID: nodeID, subtask: subtask, parallelism: parallelism, main: main,
                                      late: lateOutput?.0, metrics: metrics ?? NodeMetrics(id: nodeID, kind: "test"),
                                      maxParallelism: maxParallelism)
        return (context, mainSink, lateOutput?.1)
    }

    /// A sink's context with a `.fallback` output (a sink with a `"fallback"` sink) that feeds a
    /// ``CollectingOperator``, as its main output does.
    public static func collectingWithFallback(nodeID: NodeID = "test", subtask: Int = 0, parallelism: Int = 1)
        -> (context: OperatorContext, main: CollectingOperator, fallback: CollectingOperator) {
        let (main, mainSink) = collectingOutput(nodeID, subtask: subtask, parallelism: parallelism)
        let (fallback, fallbackSink) = collectingOutput(nodeID, subtask: subtask, parallelism: parallelism)
        let context = OperatorContext(nodeID: nodeID, subtask: subtask, parallelism: parallelism, main: main, late: nil,
                                      fallback: fallback, metrics: NodeMetrics(id: nodeID, kind: "test"))
        return (context, mainSink, fallbackSink)
    }

    /// An output whose one consumer is a new ``CollectingOperator``.
    private static func collectingOutput(_ nodeID: NodeID, subtask: Int, parallelism: Int) -> (Output, CollectingOperator) {
        let out = Output(metrics: nil)
        let sink = CollectingOperator()
        let collector = NodeID(nodeID.name + ".collector")
        let sinkContext = OperatorContext(nodeID: collector, subtask: subtask, parallelism: parallelism, main: Output(metrics: nil), late: nil)
        out.chained.append(Output.Chained(op: sink, context: sinkContext, metrics: NodeMetrics(id: collector, kind: "collector")))
        return (out, sink)
    }
}
