import StreamrunJob
import StreamrunPlan

/// Which alert gets what, as a pure value the dispatcher feeds: each event goes to the alerts that
/// are `on` it; a condition (``AlertSpec/Event/isCondition``) stays open until an event that
/// resolves it comes (`circuit_closed` for `circuit_open` of the same node, `recovered` for
/// `restarting`), is sent again every `escalateAfter` until then, and is followed by `resolved` to
/// the alerts that were told of it and are not `on` the resolving event themselves.
struct AlertBook {
    struct Open {
        var event: JobEvent
        /// Alert index → when it was last sent (epoch ms) and how many times.
        var sent: [Int: (atMs: Int64, count: Int)]
    }

    let alerts: [AlertSpec]
    private(set) var open: [String: Open] = [:]

    init(alerts: [AlertSpec]) { self.alerts = alerts }

    static func key(_ event: AlertSpec.Event, _ node: String?) -> String { "\(event.rawValue)#\(node ?? "")" }

    /// The deliveries an event makes: (alert index, event) in order.
    mutating func take(_ e: JobEvent) -> [(Int, JobEvent)] {
        var out: [(Int, JobEvent)] = []
        let subscribed = alerts.indices.filter { alerts[$0].on.contains(e.event) }
        if let r = e.resolves, let o = open.removeValue(forKey: Self.key(r, e.node)) {
            for i in o.sent.keys.sorted() where !subscribed.contains(i) {
                var resolved = e
                resolved.event = .resolved
                resolved.resolves = r
                out.append((i, resolved))
            }
        }
        out += subscribed.map { ($0, e) }
        if e.event.isCondition {
            let key = Self.key(e.event, e.node)
            var o = open[key] ?? Open(event: e, sent: [:])
            o.event = e
            for i in subscribed { o.sent[i] = (e.timeMs, (o.sent[i]?.count ?? 0) + 1) }
            open[key] = o
        }
        return out
    }

    /// Conditions due to be sent again at `nowMs`.
    mutating func due(nowMs: Int64) -> [(Int, JobEvent)] {
        var out: [(Int, JobEvent)] = []
        for key in open.keys.sorted() {
            guard var o = open[key] else { continue }
            for i in o.sent.keys.sorted() {
                guard let every = alerts[i].escalateAfterMs, let last = o.sent[i], nowMs - last.atMs >= every else { continue }
                var e = o.event
                e.escalation = last.count
                e.message = "still unresolved after \(Self.seconds(nowMs - o.event.timeMs)): " + o.event.message
                out.append((i, e))
                o.sent[i] = (nowMs, last.count + 1)
            }
            open[key] = o
        }
        return out
    }

    static func seconds(_ ms: Int64) -> String { ms < 60_000 ? "\(ms / 1000) s" : "\(ms / 60_000) min \(ms / 1000 % 60) s" }
}
