import StreamrunCore

/// What a file source's field must satisfy beyond its type: the object form of a schema entry,
/// `"price": {"type": "int", "required": true, "nullable": false, "min": 0, "max": 1e9}`.
///
/// A source keeps these beside its ``Schema`` (``SourceSpec/constraints``), never in it: schemas are
/// compared for equality all through the plan, and a constraint does not change what a field holds.
/// The decoders check every value against them and refuse a record that breaks one, naming the
/// field and the ``DeadLetter/Rule``. The parser has already checked that each rule fits the field's
/// type (no `min` on a string, `enum` values of the field's type, `min` ≤ `max`), so a consumer
/// can rely on it.
public struct FieldConstraints: Sendable, Hashable {
    /// jsonl: the key must be in every record (`null` still allowed unless ``nullable`` is false).
    /// csv: every column is always present, so this changes nothing.
    public var required = false
    /// False: a `null` (jsonl), a missing key (jsonl: missing is null) or an empty field (csv, string
    /// fields too) is bad.
    public var nullable = true
    /// Smallest and largest allowed value (int, float and timestamp fields; a timestamp's in epoch ms).
    public var min: Bound?
    public var max: Bound?
    /// The allowed values (`enum`), of the field's type (timestamps as epoch ms).
    public var allowed: [Value]?
    /// String fields: bounds on the length in Unicode scalars (as JSON Schema counts characters).
    public var minLength: Int?
    public var maxLength: Int?
    /// String fields: a regular expression the whole value must match.
    public var pattern: Pattern?
    /// Timestamp fields: how values are written; nil accepts epoch ms integers and ISO-8601 strings.
    public var format: TimestampFormat?

    public init(required: Bool = false, nullable: Bool = true, min: Bound? = nil, max: Bound? = nil,
                allowed: [Value]? = nil, minLength: Int? = nil, maxLength: Int? = nil, pattern: Pattern? = nil,
                format: TimestampFormat? = nil) {
        self.required = required
        self.nullable = nullable
        self.min = min
        self.max = max
        self.allowed = allowed
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.format = format
    }

    /// True when nothing is checked: the object form said no more than the type.
    public var isEmpty: Bool { self == FieldConstraints() }

    /// True when a present, non-null value has something to be checked against.
    public var checksValues: Bool {
        min != nil || max != nil || allowed != nil || minLength != nil || maxLength != nil || pattern != nil || format != nil
    }
}

extension FieldConstraints {
    /// A `min` or `max`: its value (`.int`, `.float` or `.timestamp`, by the field's type) and the
    /// text the user wrote (`0`, `1e9`, `"2024-01-01"`), which messages quote.
    public struct Bound: Sendable, Hashable {
        public var value: Value
        public var text: String

        public init(_ value: Value, text: String) {
            self.value = value
            self.text = text
        }
    }

    /// A `pattern`: its text and the compiled regular expression (Swift `Regex`). Equal when the
    /// texts are equal.
    public struct Pattern: Sendable, Hashable, CustomStringConvertible {
        public let text: String
        let compiled: CompiledPattern

        /// Compiles `text`; throws the compiler's one-line message (`expected ')'`) when it is not a
        /// regular expression.
        public init(_ text: String) throws(PatternError) {
            do {
                compiled = CompiledPattern(try Regex(text))
            } catch {
                throw PatternError(message: "\(error)")
            }
            self.text = text
        }

        /// Whether the whole of `value` matches (not only a part of it: `^` and `$` are implied).
        public func matches(_ value: String) -> Bool {
            (try? compiled.regex.wholeMatch(in: value)) != nil
        }

        public var description: String { text }
        public static func == (a: Pattern, b: Pattern) -> Bool { a.text == b.text }
        public func hash(into h: inout Hasher) { h.combine(text) }
    }

    public struct PatternError: Error, Sendable {
        public var message: String
    }
}

/// A compiled `Regex`, shared by every decoder of a source.
///
/// `Regex` is not `Sendable` on this toolchain, but it is immutable: its matching program is
/// lowered once, lazily, behind an atomic compare-and-swap in the string-processing library, and each
/// match keeps its state on its own stack. `init` matches once so that lowering happens before the
/// value is shared.
final class CompiledPattern: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) {
        self.regex = regex
        _ = try? regex.wholeMatch(in: "")
    }
}

extension SourceSpec {
    /// The constraints of field `column` of ``schema``, if it has any.
    public func constraints(at column: Int) -> FieldConstraints? {
        column < constraints.count ? constraints[column] : nil
    }
}
