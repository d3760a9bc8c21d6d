/// The id of a checkpoint (and of the savepoint written with it): 1, 2, 3, … in the order the job's
/// coordinator triggers them, never reused, also across restarts — not a count, an offset or a time.
///
/// `Codable` as the bare number, as checkpoint manifests and the control endpoint's JSON have always
/// held it.
public struct CheckpointID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int64

    @inlinable public init(_ value: Int64) { self.value = value }

    /// The id after this one.
    @inlinable public var next: CheckpointID { CheckpointID(value + 1) }

    @inlinable public static func < (a: CheckpointID, b: CheckpointID) -> Bool { a.value < b.value }

    public var description: String { String(value) }
}

extension CheckpointID: ExpressibleByIntegerLiteral {
    @inlinable public init(integerLiteral value: Int64) { self.value = value }
}

extension CheckpointID: Codable {
    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// The id of a source, operator or sink as job.json names it: what state, metrics and
/// acknowledgements are keyed by — not a path, a type name or a label.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let name: String

    @inlinable public init(_ name: String) { self.name = name }

    @inlinable public static func < (a: NodeID, b: NodeID) -> Bool { a.name < b.name }

    public var description: String { name }
}

extension NodeID: ExpressibleByStringLiteral {
    @inlinable public init(stringLiteral value: String) { name = value }
}

extension NodeID: Codable {
    public init(from decoder: any Decoder) throws { name = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
