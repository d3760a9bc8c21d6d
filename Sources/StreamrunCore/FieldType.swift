/// The type of a record field, as declared in a source schema or derived by an expression.
///
/// `timestamp` is stored as epoch milliseconds (`Int64`) and written back as integer epoch milliseconds.
public enum FieldType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case int
    case float
    case string
    case bool
    case timestamp

    public var description: String { rawValue }

    /// True for `int` and `float` (the types arithmetic accepts).
    public var isNumeric: Bool { self == .int || self == .float }
}

/// A named, typed field of a schema.
public struct Field: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var type: FieldType

    public init(_ name: String, _ type: FieldType) {
        self.name = name
        self.type = type
    }

    public var description: String { "\(name): \(type)" }
}

/// An ordered list of fields, resolved once at plan time so the hot path addresses fields by index.
public struct Schema: Sendable, Hashable, CustomStringConvertible {
    public private(set) var fields: [Field]
    private var indexByName: [String: Int]

    public init(_ fields: [Field]) {
        self.fields = fields
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() where index[f.name] == nil { index[f.name] = i }
        self.indexByName = index
    }

    public var count: Int { fields.count }
    public var names: [String] { fields.map(\.name) }

    /// The index of the field called `name`, or nil.
    public func index(of name: String) -> Int? { indexByName[name] }

    public func field(named name: String) -> Field? { indexByName[name].map { fields[$0] } }

    public subscript(i: Int) -> Field { fields[i] }

    /// Returns a schema where `field` replaces the field of the same name, or is appended.
    public func setting(_ field: Field) -> Schema {
        var copy = fields
        if let i = indexByName[field.name] { copy[i] = field } else { copy.append(field) }
        return Schema(copy)
    }

    public var description: String { "(" + fields.map(\.description).joined(separator: ", ") + ")" }

    public static func == (a: Schema, b: Schema) -> Bool { a.fields == b.fields }
    public func hash(into h: inout Hasher) { h.combine(fields) }
}
