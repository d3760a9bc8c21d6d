extension JobParser {
    /// The keys the parser accepts in each kind of job.json object; any other key is an error
    /// (`unknown key "x" (did you mean "y"?)`), except keys starting with `_`, which are comments.
    ///
    /// The kind names are the `$defs` names of `docs/job.schema.json` (`job` is its root), and a test
    /// keeps the two in sync. Objects whose keys are user names (`schema`, `set`, `aggregates`) are not listed; the object
    /// form of a schema entry is `fieldConstraints`.
    public static let acceptedKeys: [String: Set<String>] = [
        "job": ["$schema", "name", "parallelism", "maxParallelism", "checkpoints", "control", "restart", "faults",
                "alerts", "sources", "operators", "sinks"],
        "alert": ["on", "webhook", "command", "timeout", "escalateAfter", "deadLetterRate"],
        "fault": ["node", "type", "every", "checkpoint", "times", "class", "while", "after", "for"],
        "retry": ["maxRetries", "initialInterval", "maxInterval", "multiplier", "jitter"],
        "circuitBreaker": ["failureThreshold", "openFor", "halfOpenProbes"],
        "fixedDelayRestart": ["strategy", "attempts", "delay"],
        "exponentialDelayRestart": ["strategy", "initialBackoff", "maxBackoff", "multiplier", "jitter", "resetBackoffThreshold", "attempts"],
        "failureRateRestart": ["strategy", "maxFailuresPerInterval", "interval", "delay"],
        "noRestart": ["strategy"],
        "checkpoints": ["dir", "interval", "retain", "timeout", "minPause", "tolerableFailures"],
        "control": ["host", "port"],
        "eventTime": ["field", "maxOutOfOrderness", "idleTimeout"],
        "maxErrorRate": ["rate", "window"],
        "fieldConstraints": ["type", "required", "nullable", "min", "max", "enum", "minLength", "maxLength", "pattern", "format"],
        "fileSource": sourceCommon.union(["path", "format", "schema", "follow", "header", "delimiter", "splitSize", "fallback"]),
        "generatorSource": sourceCommon.union(["seed", "count", "splits"]),
        "filterOperator": operatorCommon.union(["where"]),
        "mapOperator": operatorCommon.union(["set", "drop", "select", "onError", "deadLetter"]),
        "windowOperator": operatorCommon.union(["keyBy", "window", "aggregates", "allowedLateness", "stateTtl"]),
        "dedupeOperator": operatorCommon.union(["keyBy", "within", "stateTtl"]),
        "tumblingWindow": ["type", "size"],
        "slidingWindow": ["type", "size", "slide"],
        "sessionWindow": ["type", "gap"],
        "fileSink": sinkCommon.union(["path", "format", "fields", "header", "partitionBy", "partitionKey", "rollSize"]),
        "stdoutSink": sinkCommon.union(["format", "fields"]),
    ]

    static let sourceCommon: Set<String> = ["id", "type", "parallelism", "eventTime", "maxRecordsPerSecond", "onError",
                                            "deadLetter", "maxErrorRate", "maxRecordSize", "retry", "optional"]
    static let operatorCommon: Set<String> = ["id", "type", "inputs", "parallelism"]
    static let sinkCommon: Set<String> = ["id", "type", "inputs", "parallelism", "retry", "circuitBreaker", "fallback"]

    /// The object kind for each `type` of a family, and how a message names it.
    static let sourceKinds: [(type: String, kind: String)] = [("file", "fileSource"), ("generator", "generatorSource")]
    static let operatorKinds: [(type: String, kind: String)] = [
        ("filter", "filterOperator"), ("map", "mapOperator"), ("window", "windowOperator"), ("dedupe", "dedupeOperator"),
    ]
    static let windowKinds: [(type: String, kind: String)] = [
        ("tumbling", "tumblingWindow"), ("sliding", "slidingWindow"), ("session", "sessionWindow"),
    ]
    static let restartKinds: [(type: String, kind: String)] = [
        ("fixed-delay", "fixedDelayRestart"), ("exponential-delay", "exponentialDelayRestart"),
        ("failure-rate", "failureRateRestart"), ("none", "noRestart"),
    ]
    static let sinkKinds: [(type: String, kind: String)] = [("file", "fileSink"), ("stdout", "stdoutSink")]
}
