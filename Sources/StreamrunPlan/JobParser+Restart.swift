import StreamrunCore

extension JobReader {
    /// The strategies' names as `"strategy"` takes them.
    enum RestartStrategyName: String, CaseIterable {
        case fixedDelay = "fixed-delay"
        case exponentialDelay = "exponential-delay"
        case failureRate = "failure-rate"
        case none
    }

    /// `"restart"`: a strategy and its settings, Flink's defaults for what is left out.
    mutating func restart(_ v: JSONValue, _ path: String) -> RestartSpec? {
        guard let o = object(v, path) else { return nil }
        guard let name = enumValue(o, "strategy", path, as: RestartStrategyName.self, required: true) else { return nil }
        let kind = JobParser.restartKinds.first { $0.type == name.rawValue }!.kind
        checkKeys(o, path, kind: kind, family: JobParser.restartKinds, noun: "restart")
        switch name {
        case .fixedDelay:
            let attempts = int(o, "attempts", path, min: 0, max: 1_000_000) ?? 3
            let delay = duration(o, "delay", path) ?? 1000
            return .fixedDelay(attempts: Int(attempts), delayMs: delay)
        case .exponentialDelay:
            var e = RestartSpec.ExponentialDelay()
            e.initialBackoffMs = duration(o, "initialBackoff", path, positive: true) ?? e.initialBackoffMs
            e.maxBackoffMs = duration(o, "maxBackoff", path, positive: true) ?? e.maxBackoffMs
            e.multiplier = number(o, "multiplier", path, in: 1...1000) ?? e.multiplier
            e.jitter = number(o, "jitter", path, in: 0...1) ?? e.jitter
            e.resetBackoffThresholdMs = duration(o, "resetBackoffThreshold", path, positive: true) ?? e.resetBackoffThresholdMs
            if let a = int(o, "attempts", path, min: 0, max: 1_000_000) { e.attempts = Int(a) }
            if e.initialBackoffMs > e.maxBackoffMs {
                issue(Self.join(path, "initialBackoff"), "\"initialBackoff\" is longer than \"maxBackoff\" (\(Durations.format(e.maxBackoffMs)))")
            }
            return .exponentialDelay(e)
        case .failureRate:
            let max = int(o, "maxFailuresPerInterval", path, min: 1, max: 1_000_000) ?? 1
            let interval = duration(o, "interval", path, positive: true) ?? 60_000
            let delay = duration(o, "delay", path) ?? 1000
            return .failureRate(maxFailures: Int(max), intervalMs: interval, delayMs: delay)
        case .none:
            return RestartSpec.none
        }
    }
}

extension JobReader {
    /// One entry of `"faults"`.
    mutating func fault(_ v: JSONValue, _ path: String) -> FaultSpec? {
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "fault")
        let node = string(o, "node", path, required: true)
        let kind = enumValue(o, "type", path, as: FaultSpec.Kind.self, required: true)
        guard let node, let kind else { return nil }
        var f = FaultSpec(node: node, kind: kind, jsonPath: path)
        if let n = int(o, "every", path, min: 1) { f.every = Int(n) }
        if let n = int(o, "checkpoint", path, min: 1) { f.checkpoint = n }
        if let t = o["times"] {
            if t.string == "always" {
                f.times = nil
            } else if let n = int(o, "times", path, min: 1) {
                f.times = Int(n)
            }
        }
        f.errorClass = enumValue(o, "class", path, as: FaultSpec.ErrorClass.self) ?? .transient
        f.whilePath = self.path(o, "while", path)
        f.afterMs = duration(o, "after", path)
        f.forMs = duration(o, "for", path, positive: true)
        // An outage with a condition lasts as long as the condition, unless "times" says otherwise.
        if o["times"] == nil && (f.whilePath != nil || f.forMs != nil) { f.times = nil }
        for key in ["every", "checkpoint"] where o[key] != nil {
            let applies = key == "every" ? kind == .failRecord : kind == .failCheckpoint
            if !applies { issue(Self.join(path, key), "\"\(key)\" does not apply to \"\(kind.rawValue)\"") }
        }
        return f
    }
}

extension JobReader {
    /// One entry of `"alerts"`: `{"on": ["job_failed", …], "webhook": "http://…"}` or `"command": ["./notify.sh"]`.
    mutating func alert(_ v: JSONValue, _ path: String) -> AlertSpec? {
        guard let o = object(v, path) else { return nil }
        checkKeys(o, path, kind: "alert")
        guard let names = stringArray(o, "on", path, nonEmpty: true, required: true) else { return nil }
        var events: [AlertSpec.Event] = []
        for (k, name) in names.enumerated() {
            if let e = AlertSpec.Event(rawValue: name) {
                events.append(e)
            } else {
                let all = AlertSpec.Event.allCases.map(\.rawValue)
                var message = "expected \(Self.orList(all, quoted: true, word: "or")), got \"\(name)\""
                if let c = Suggestions.closest(to: name, among: all) { message += " (did you mean \"\(c)\"?)" }
                issue(Self.join(path, "on") + "[\(k)]", message)
            }
        }
        let webhook = string(o, "webhook", path)
        if let w = webhook, !(w.hasPrefix("http://") || w.hasPrefix("https://")) {
            issue(Self.join(path, "webhook"), "expected an http:// or https:// URL, got \"\(w)\"")
        }
        let command = stringArray(o, "command", path, nonEmpty: true)
        if (webhook == nil) == (command == nil) {
            issue(path, "an alert needs exactly one of \"webhook\" and \"command\"")
        }
        var a = AlertSpec(on: events, webhook: webhook, command: command, jsonPath: path)
        if let t = duration(o, "timeout", path, positive: true) { a.timeoutMs = t }
        a.escalateAfterMs = duration(o, "escalateAfter", path, positive: true)
        a.deadLetterRate = number(o, "deadLetterRate", path, in: 0...1)
        return events.count == names.count ? a : nil
    }
}
