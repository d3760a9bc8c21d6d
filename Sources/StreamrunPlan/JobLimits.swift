/// The bounds job.json values must stay within, each with the reason it exists.
///
/// A job outside them is refused by validation (exit status 2, one message naming the JSON path and
/// the limit) instead of starting and then eating memory, overflowing event-time arithmetic or
/// exhausting a thread's stack. docs/job-json.md lists the same values.
public enum JobLimits {
    /// Subtasks of one node (`parallelism`, job-wide or per node). Every subtask is a task with its own
    /// channels and batch buffers; streamrun runs a job on one machine, and 1024 is far more than its cores.
    public static let parallelism: ClosedRange<Int64> = 1...1024

    /// Key groups (`maxParallelism`): keyed state keeps tables per group. 32768 (2^15) is Flink's limit.
    public static let keyGroups: ClosedRange<Int64> = 1...32768

    /// Generator `splits`: every split is generated and checkpointed on its own.
    public static let generatorSplits: ClosedRange<Int64> = 1...4096

    /// The windows one record of a sliding window belongs to (`size / slide`): each costs an update
    /// of state per record, and finding a key's window among its open ones costs as many again, so
    /// the cost per record grows with the square of this (at 1000, 2,000 records took minutes).
    public static let windowsPerRecord: Int64 = 100

    /// The longest duration, 365 days: keeps event-time arithmetic (window ends, watermarks,
    /// lateness and TTLs added to timestamps) far from 64-bit overflow.
    public static let maxDurationMs: Int64 = 365 * 86_400_000

    /// Sizes (`splitSize`, `rollSize`), 1KB to 1TB: a smaller split or part file makes a split or a
    /// file per handful of records.
    public static let byteSize: ClosedRange<Int> = 1024...(1 << 40)

    /// `maxRecordsPerSecond`: the pacing of a source computes nanosecond deadlines and batch sizes
    /// from it, which must stay within 64-bit integers.
    public static let recordsPerSecond: ClosedRange<Double> = 0.001...1_000_000_000

    /// How deep parentheses, function calls and unary operators nest in one expression (the JSON
    /// parser's limit for job.json itself is 256).
    public static let maxExpressionNesting = 64

    /// Unary and binary operators in one expression. A chain `a + a + a + …` is a tree as deep as it
    /// has operators, and compiling and evaluating an expression walks its tree recursively, so this
    /// bounds the depth of that recursion (with ``maxExpressionNesting``) to about 1000 levels.
    public static let maxExpressionOperators = 1000

    /// The largest `maxRecordSize`: a record is held whole in memory up to this size.
    public static let maxRecordSize = 256 << 20

    /// The largest `maxErrorRate.window` (records).
    public static let errorRateWindow: ClosedRange<Int64> = 1...100_000_000
}
