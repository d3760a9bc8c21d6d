import StreamrunCore

extension DeadLetterSummary {
    /// The human-readable summary: the totals, then per source its count and per (field, rule) its
    /// count and first examples — where the record was read (`file:line`), the message, and the
    /// start of the record.
    ///
    /// ```
    /// out/dlq: 12 dead letters in 2 files (1 not replayable)
    ///
    /// bids: 10
    ///   type of price: 7
    ///     /data/bids.jsonl:17  field "price": expected int, got "x"
    ///       {"auction":1,"price":"x","bidder":3}
    ///   syntax: 3
    ///     …
    /// ```
    public var text: String {
        let head = total == 0
            ? "\(path): no dead letters (\(Self.plural(files, "file")))"
            : "\(path): \(Self.plural(total, "dead letter")) in \(Self.plural(files, "file"))"
                + (notReplayable > 0 ? " (\(notReplayable) not replayable)" : "")
        var lines = [head]
        for s in sources {
            lines.append("")
            lines.append("\(s.source): \(s.count)")
            for e in s.errors {
                lines.append("  \(e.name): \(e.count)")
                for x in e.examples {
                    lines.append("    \(Self.origin(x.letter))  \(Self.oneLine(x.letter.message, limit: 200))")
                    lines.append("      \(Self.snippet(x.letter, limit: 100, escaped: true))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The same as one JSON object: `path`, `files`, `deadLetters`, `notReplayable`, and per source
    /// `source`, `deadLetters` and `errors` (each with `field`, `rule`, `deadLetters` and `examples`:
    /// `at` — the DLQ file and line — `file`, `offset`, `line`, `operator`, `message`, the start of the
    /// record in `raw` (cut at 200 characters; base64 for bytes that are not UTF-8, with `rawBase64`
    /// true) and the record's full length in `rawLength`).
    public var json: OrderedJSON {
        func optional<T>(_ v: T?, _ f: (T) -> OrderedJSON) -> OrderedJSON { v.map(f) ?? .null }
        return .object([
            ("path", .string(path)),
            ("files", .int(Int64(files))),
            ("deadLetters", .int(Int64(total))),
            ("notReplayable", .int(Int64(notReplayable))),
            ("sources", .array(sources.map { s in
                .object([
                    ("source", .string(s.source)),
                    ("deadLetters", .int(Int64(s.count))),
                    ("errors", .array(s.errors.map { e in
                        .object([
                            ("field", optional(e.field, OrderedJSON.string)),
                            ("rule", .string(e.rule)),
                            ("deadLetters", .int(Int64(e.count))),
                            ("examples", .array(e.examples.map { x in
                                let l = x.letter
                                return .object([
                                    ("at", .string(x.at)), ("file", optional(l.file, OrderedJSON.string)),
                                    ("offset", optional(l.offset, OrderedJSON.int)), ("line", optional(l.line, OrderedJSON.int)),
                                    ("operator", optional(l.operatorID, OrderedJSON.string)), ("message", .string(l.message)),
                                    ("raw", .string(Self.snippet(l, limit: 200, escaped: false))),
                                    ("rawBase64", .bool(String(validating: l.raw, as: UTF8.self) == nil)),
                                    ("rawLength", .int(l.rawLength ?? Int64(l.raw.count))),
                                ])
                            })),
                        ])
                    })),
                ])
            })),
        ])
    }

    /// `/data/bids.jsonl:17`, or with the operator that refused it: `/data/bids.jsonl:17 (operator w)`.
    static func origin(_ l: DeadLetter) -> String {
        var s = l.file ?? "(no file)"
        if let line = l.line { s += ":\(line)" } else if let offset = l.offset { s += " at byte \(offset)" }
        if let op = l.operatorID { s += " (operator \(op))" }
        return s
    }

    /// The start of the record: its text, cut at `limit` characters (with control characters as
    /// escapes when `escaped`), or `base64:` and its bytes when they are not UTF-8; `…` when cut, and
    /// `(first N of M bytes)` when the queue holds only the first bytes of the record.
    static func snippet(_ l: DeadLetter, limit: Int, escaped: Bool) -> String {
        var s: String
        if let text = String(validating: l.raw, as: UTF8.self) {
            s = escaped ? oneLine(text, limit: limit) : (text.count > limit ? String(text.prefix(limit)) + "…" : text)
        } else {
            let bytes = Array(l.raw.prefix(limit * 3 / 4))
            s = (escaped ? "base64:" : "") + Base64.encode(bytes) + (bytes.count < l.raw.count ? "…" : "")
        }
        if let length = l.rawLength { s += " (first \(l.raw.count) of \(length) bytes)" }
        return s
    }

    /// `text` on one line: control characters escaped (`\n`, `\t`, `\u001b`), cut at `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        var out = ""
        var n = 0
        for c in text.unicodeScalars {
            if n == limit {
                out += "…"
                break
            }
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where c.value < 0x20 || c.value == 0x7F:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(c)
            }
            n += 1
        }
        return out
    }

    static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
