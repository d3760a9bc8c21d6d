import StreamrunCore

extension JobReader {
    /// `"retry"` on a sink or source: `{"maxRetries": 3, "initialInterval": "500ms", "maxInterval": "30s",
    /// "multiplier": 2, "jitter": 0.2}`, the defaults for what is left out.
    mutating func retry(_ o: JSONObject, _ path: String) -> RetrySpec {
        var r = RetrySpec.default
        guard let v = o["retry"] else { return r }
        let path = Self.join(path, "retry")
        guard let o = object(v, path) else { return r }
        checkKeys(o, path, kind: "retry")
        if let n = int(o, "maxRetries", path, min: 0, max: 1_000_000) { r.maxRetries = Int(n) }
        r.initialIntervalMs = duration(o, "initialInterval", path, positive: true) ?? r.initialIntervalMs
        r.maxIntervalMs = duration(o, "maxInterval", path, positive: true) ?? r.maxIntervalMs
        r.multiplier = number(o, "multiplier", path, in: 1...1000) ?? r.multiplier
        r.jitter = number(o, "jitter", path, in: 0...1) ?? r.jitter
        if r.initialIntervalMs > r.maxIntervalMs {
            issue(Self.join(path, "initialInterval"), "\"initialInterval\" is longer than \"maxInterval\" (\(Durations.format(r.maxIntervalMs)))")
        }
        return r
    }

    /// `"circuitBreaker"` on a sink: `{"failureThreshold": 5, "openFor": "30s", "halfOpenProbes": 1}`.
    mutating func circuitBreaker(_ o: JSONObject, _ path: String) -> CircuitBreakerSpec? {
        guard let v = o["circuitBreaker"] else { return nil }
        let path = Self.join(path, "circuitBreaker")
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "circuitBreaker")
        var b = CircuitBreakerSpec()
        if let n = int(o, "failureThreshold", path, min: 1, max: 1_000_000) { b.failureThreshold = Int(n) }
        b.openForMs = duration(o, "openFor", path, positive: true) ?? b.openForMs
        if let n = int(o, "halfOpenProbes", path, min: 1, max: 1000) { b.halfOpenProbes = Int(n) }
        return b
    }
}
