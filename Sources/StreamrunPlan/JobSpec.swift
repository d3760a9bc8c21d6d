import StreamrunCore

/// job.json as written by the user, after parsing and before validation.
///
/// Every object keeps the JSON path it came from so validation can name the place of each problem.
/// Field order in `schema`, `set` and `aggregates` is preserved: it decides output column order.
public struct JobSpec: Sendable, Hashable {
    public var name: String
    public var parallelism: Int
    /// The number of key groups (Flink's max parallelism).
    public var maxParallelism: Int
    public var checkpoints: CheckpointSpec?
    /// Where the control endpoint listens; nil means the defaults (127.0.0.1, any free port).
    public var control: ControlSpec?
    /// How the job restarts after failures; nil: ``RestartSpec/default``.
    public var restart: RestartSpec?
    /// Faults to inject; a job with faults runs only with `--allow-faults`.
    public var faults: [FaultSpec] = []
    /// Who is told what happens to the job.
    public var alerts: [AlertSpec] = []
    public var sources: [SourceSpec]
    public var operators: [OperatorSpec]
    public var sinks: [SinkSpec]

    public init(name: String, parallelism: Int = 1, maxParallelism: Int = KeyGroups.defaultMaxParallelism,
                checkpoints: CheckpointSpec? = nil, sources: [SourceSpec] = [], operators: [OperatorSpec] = [],
                sinks: [SinkSpec] = []) {
        self.name = name
        self.parallelism = parallelism
        self.maxParallelism = maxParallelism
        self.checkpoints = checkpoints
        self.sources = sources
        self.operators = operators
        self.sinks = sinks
    }
}

public struct CheckpointSpec: Sendable, Hashable {
    public var dir: String
    public var intervalMs: Int64
    public var retain: Int
    public var timeoutMs: Int64
    public var minPauseMs: Int64
    /// Consecutive failed checkpoints the job tolerates before it restarts (Flink's
    /// `tolerableCheckpointFailureNumber`); the next one is triggered as usual meanwhile.
    public var tolerableFailures: Int

    public init(dir: String, intervalMs: Int64 = 10_000, retain: Int = 3, timeoutMs: Int64 = 600_000, minPauseMs: Int64 = 0,
                tolerableFailures: Int = 3) {
        self.dir = dir
        self.intervalMs = intervalMs
        self.retain = retain
        self.timeoutMs = timeoutMs
        self.minPauseMs = minPauseMs
        self.tolerableFailures = tolerableFailures
    }
}

/// The `control` section: the address of the job's HTTP control endpoint.
public struct ControlSpec: Sendable, Hashable {
    public var host: String
    /// 0 picks a free port, so several jobs can run side by side.
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        self.port = port
    }
}

public struct EventTimeSpec: Sendable, Hashable {
    public var field: String
    public var maxOutOfOrdernessMs: Int64
    public var idleTimeoutMs: Int64?

    public init(field: String, maxOutOfOrdernessMs: Int64 = 0, idleTimeoutMs: Int64? = nil) {
        self.field = field
        self.maxOutOfOrdernessMs = maxOutOfOrdernessMs
        self.idleTimeoutMs = idleTimeoutMs
    }
}

public enum DataFormat: String, Sendable, Hashable, CaseIterable {
    case jsonl
    case csv
}

/// What a source or operator does with a record it cannot process (`onError`).
public enum OnError: String, Sendable, Hashable, CaseIterable {
    /// Fail the job with the record's file and line (the default).
    case fail
    /// Send the record with its error to the `deadLetter` sink, and go on.
    case deadLetter = "dead-letter"
    /// Count it, log a sample, and go on.
    case skip
}

/// `maxErrorRate`: the job fails when more than `rate` of the last `window` records a subtask read were bad.
public struct ErrorRate: Sendable, Hashable {
    /// A fraction in [0, 1] (`"1%"` is 0.01).
    public var rate: Double
    /// Records.
    public var window: Int

    public init(rate: Double, window: Int) {
        self.rate = rate
        self.window = window
    }

    /// `1%`, `0.5%`: the rate as the user wrote it.
    public var percent: String {
        let p = rate * 100
        return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
    }
}

public struct SourceSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case file
        case generator
    }

    public var id: String
    public var kind: Kind
    public var path: String?
    public var format: DataFormat
    public var schema: Schema
    /// file: what each field of ``schema`` must satisfy beyond its type, aligned with
    /// `schema.fields`; empty (or all nil) when no field has constraints. See ``constraints(at:)``.
    public var constraints: [FieldConstraints?] = []
    public var eventTime: EventTimeSpec?
    public var follow: Bool
    public var maxRecordsPerSecond: Double?
    public var parallelism: Int?
    /// csv: whether the first line of each file is a header (skipped); default false.
    public var csvHeader: Bool
    /// csv: the field delimiter; default ",".
    public var csvDelimiter: UInt8
    /// file: target size of a split of a splittable (jsonl) file.
    public var splitBytes: Int
    /// generator: seed, number of events (nil: unbounded), and number of splits.
    public var seed: UInt64
    public var count: Int64?
    public var splits: Int
    /// Where the source was declared: `sources[0]`.
    public var jsonPath: String
    /// What to do with a bad record (one that does not parse or breaks the schema).
    public var onError: OnError = .fail
    /// The sink that receives this source's dead letters (`onError: "dead-letter"`).
    public var deadLetter: String?
    public var maxErrorRate: ErrorRate?
    /// A record longer than this (bytes) is bad; the rest of it is skipped without being read into memory.
    public var maxRecordSize: Int = SourceSpec.defaultMaxRecordSize
    /// The directory `path` was made relative to (that of job.json), when it was relative: dead letters
    /// name their file relative to it, so they read the same whatever directory the job ran from.
    public var pathBase: String?
    /// How a read that failed (an I/O error opening or reading a file, an injected `fail-reads`) is
    /// retried in place, at the same position, before the fallback, degradation or a job failure.
    public var retry: RetrySpec = .default
    /// file: the id of a source with the same type, format and schema whose `path` this source
    /// switches to when its own reads fail past their retries (a standby: not run by itself).
    public var fallback: String?
    /// A source that fails past its retries (and its fallback's) leaves the job running *degraded*
    /// instead of failing it, and is retried in the background until it rejoins.
    public var optional = false
    public static let defaultMaxRecordSize = 1 << 20

    public init(id: String, kind: Kind, path: String? = nil, format: DataFormat = .jsonl, schema: Schema = Schema([]),
                eventTime: EventTimeSpec? = nil, follow: Bool = false, maxRecordsPerSecond: Double? = nil,
                parallelism: Int? = nil, csvHeader: Bool = false, csvDelimiter: UInt8 = UInt8(ascii: ","),
                splitBytes: Int = 16 << 20, seed: UInt64 = 0, count: Int64? = nil, splits: Int = 8,
                jsonPath: String = "") {
        self.id = id
        self.kind = kind
        self.path = path
        self.format = format
        self.schema = schema
        self.eventTime = eventTime
        self.follow = follow
        self.maxRecordsPerSecond = maxRecordsPerSecond
        self.parallelism = parallelism
        self.csvHeader = csvHeader
        self.csvDelimiter = csvDelimiter
        self.splitBytes = splitBytes
        self.seed = seed
        self.count = count
        self.splits = splits
        self.jsonPath = jsonPath
    }
}

public enum WindowSpec: Sendable, Hashable {
    case tumbling(sizeMs: Int64)
    case sliding(sizeMs: Int64, slideMs: Int64)
    case session(gapMs: Int64)
}

/// An aggregate in a window: `count()`, `sum(x)`, `min(x)`, `max(x)`, `avg(x)`, `first(x)`, `last(x)`,
/// `count_distinct(x)`, where `x` is an expression.
public struct AggregateSpec: Sendable, Hashable {
    public enum Function: String, Sendable, Hashable, CaseIterable {
        case count, sum, min, max, avg, first, last
        case countDistinct = "count_distinct"
    }

    public var name: String
    public var function: Function
    /// The argument expression's source text; nil for `count()`.
    public var argument: String?

    public init(name: String, function: Function, argument: String?) {
        self.name = name
        self.function = function
        self.argument = argument
    }
}

public struct OperatorSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case filter
        case map
        case window
        case dedupe
    }

    public var id: String
    public var kind: Kind
    public var inputs: [String]
    public var parallelism: Int?
    /// filter: the predicate.
    public var whereExpr: String?
    /// map: assignments in order (field, expression); evaluated against the input record.
    public var set: [(field: String, expr: String)]
    /// map: fields to drop from the output.
    public var drop: [String]
    /// map: fields to keep, in this order (applied after `set` and `drop`); nil keeps all.
    public var select: [String]?
    /// window / dedupe: key fields.
    public var keyBy: [String]
    public var window: WindowSpec?
    public var aggregates: [AggregateSpec]
    public var allowedLatenessMs: Int64
    public var stateTtlMs: Int64?
    /// dedupe: the event-time horizon.
    public var withinMs: Int64?
    /// Where the operator was declared: `operators[0]`.
    public var jsonPath: String
    /// map: what a record whose expression fails (a cast, a division by zero) does; nil keeps such
    /// results null (lenient, like SQL's TRY_CAST).
    public var onError: OnError?
    /// map: the sink that receives dead letters (`onError: "dead-letter"`).
    public var deadLetter: String?

    public init(id: String, kind: Kind, inputs: [String], parallelism: Int? = nil, whereExpr: String? = nil,
                set: [(field: String, expr: String)] = [], drop: [String] = [], select: [String]? = nil,
                keyBy: [String] = [], window: WindowSpec? = nil, aggregates: [AggregateSpec] = [],
                allowedLatenessMs: Int64 = 0, stateTtlMs: Int64? = nil, withinMs: Int64? = nil, jsonPath: String = "") {
        self.id = id
        self.kind = kind
        self.inputs = inputs
        self.parallelism = parallelism
        self.whereExpr = whereExpr
        self.set = set
        self.drop = drop
        self.select = select
        self.keyBy = keyBy
        self.window = window
        self.aggregates = aggregates
        self.allowedLatenessMs = allowedLatenessMs
        self.stateTtlMs = stateTtlMs
        self.withinMs = withinMs
        self.jsonPath = jsonPath
    }

    public static func == (a: OperatorSpec, b: OperatorSpec) -> Bool {
        a.id == b.id && a.kind == b.kind && a.inputs == b.inputs && a.parallelism == b.parallelism
            && a.whereExpr == b.whereExpr && a.set.map(\.field) == b.set.map(\.field)
            && a.set.map(\.expr) == b.set.map(\.expr) && a.drop == b.drop && a.select == b.select
            && a.keyBy == b.keyBy && a.window == b.window && a.aggregates == b.aggregates
            && a.allowedLatenessMs == b.allowedLatenessMs && a.stateTtlMs == b.stateTtlMs && a.withinMs == b.withinMs
            && a.onError == b.onError && a.deadLetter == b.deadLetter
    }

    public func hash(into h: inout Hasher) {
        h.combine(id)
        h.combine(kind)
    }
}

public struct SinkSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case file
        case stdout
    }

    public var id: String
    public var kind: Kind
    public var inputs: [String]
    public var parallelism: Int?
    public var path: String?
    public var format: DataFormat
    /// Columns to write, in order; nil writes every field.
    public var fields: [String]?
    /// csv: write a header line at the top of each file.
    public var header: Bool
    /// An expression whose string value names the partition directory (`dt=2024-01-01`).
    public var partitionBy: String?
    /// The partition directory's key, default `dt`.
    public var partitionKey: String
    /// Roll to a new part file past this many bytes.
    public var rollBytes: Int
    public var jsonPath: String
    /// How a failed write or commit is retried in place.
    public var retry: RetrySpec = .default
    /// Stops calling a destination that keeps failing; nil: no breaker (retries, then a restart).
    public var circuitBreaker: CircuitBreakerSpec?
    /// The id of the sink that takes this sink's records while its breaker is open.
    public var fallback: String?
    /// A tag in the names of the part files this run writes (`part-<sink>-<tag>-…`), so they never mix
    /// with another run's in the same directory. Not a job.json key: `streamrun dlq replay` sets it
    /// (`replay-<id>`) on every file sink of the job it replays through.
    public var partTag: String?

    public init(id: String, kind: Kind, inputs: [String], parallelism: Int? = nil, path: String? = nil,
                format: DataFormat = .jsonl, fields: [String]? = nil, header: Bool = false, partitionBy: String? = nil,
                partitionKey: String = "dt", rollBytes: Int = 128 << 20, jsonPath: String = "") {
        self.id = id
        self.kind = kind
        self.inputs = inputs
        self.parallelism = parallelism
        self.path = path
        self.format = format
        self.fields = fields
        self.header = header
        self.partitionBy = partitionBy
        self.partitionKey = partitionKey
        self.rollBytes = rollBytes
        self.jsonPath = jsonPath
    }
}

extension SourceSpec {
    /// The schema of the `generator` source: the Nexmark bid stream.
    public static let nexmarkBidSchema = Schema([
        Field("auction", .int), Field("bidder", .int), Field("price", .int), Field("channel", .string),
        Field("url", .string), Field("dateTime", .timestamp), Field("extra", .string),
    ])
}
