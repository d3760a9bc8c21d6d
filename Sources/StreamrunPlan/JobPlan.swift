import StreamrunCore

/// A validated job: every node with its resolved input and output schemas and compiled expressions.
///
/// Built only by ``JobValidator``; once a `JobPlan` exists, names are resolved to indexes and every
/// expression type-checks, so the runtime never looks a field up by name.
public struct JobPlan: Sendable {
    public var spec: JobSpec
    /// Every source, operator and sink, in a topological order (inputs before their consumers).
    public var nodes: [PlanNode]
    /// The job.json text the plan was loaded from (``JobLoader``); empty for plans built otherwise.
    /// Checkpoints embed it so their state can be decoded later without the file.
    public var sourceText: String = ""

    public init(spec: JobSpec, nodes: [PlanNode]) {
        self.spec = spec
        self.nodes = nodes
    }

    public func node(_ id: NodeID) -> PlanNode? { nodes.first { $0.id == id } }

    /// The ids of the nodes that read `id`'s output (or its `.late` side output when `late`).
    public func consumers(of id: NodeID) -> [PlanNode] {
        nodes.filter { $0.inputs.contains { $0.node == id } }
    }
}

/// A reference from a node to one of its inputs: a node id, and which of its outputs.
public struct InputRef: Sendable, Hashable, CustomStringConvertible {
    public var node: NodeID
    /// `main`, `late` for a window's `<id>.late` output, or `dead` for the dead letters of a source
    /// with `"onError": "dead-letter"` (`<id>.dead`, what its `deadLetter` sink reads).
    public var output: Output

    public enum Output: String, Sendable, Hashable {
        case main
        case late
        case dead
        /// What a sink with a `"fallback"` hands on while its circuit breaker is open.
        case fallback
    }

    public init(node: NodeID, output: Output = .main) {
        self.node = node
        self.output = output
    }

    /// Parses `"bids"`, `"w.late"` or `"bids.dead"`.
    public init(parsing s: String) {
        if s.hasSuffix(".late") {
            self.init(node: NodeID(String(s.dropLast(5))), output: .late)
        } else if s.hasSuffix(".dead") {
            self.init(node: NodeID(String(s.dropLast(5))), output: .dead)
        } else if s.hasSuffix(".fallback") {
            self.init(node: NodeID(String(s.dropLast(9))), output: .fallback)
        } else {
            self.init(node: NodeID(s))
        }
    }

    public var description: String { output == .main ? node.name : "\(node).\(output.rawValue)" }
}

public struct PlanNode: Sendable {
    public enum Kind: Sendable {
        case source(SourceSpec)
        case filter(CompiledExpression)
        case map(MapProgram)
        case window(WindowPlan)
        case dedupe(DedupePlan)
        case sink(SinkPlan)
    }

    public var id: NodeID
    public var kind: Kind
    public var inputs: [InputRef]
    /// The schema of every input (all inputs of a node share one schema); nil for sources.
    public var inputSchema: Schema?
    public var outputSchema: Schema
    /// The schema of the `.late` side output, when the node has one (windows): its input schema.
    public var lateSchema: Schema?
    /// The schema of the `.dead` side output (``DeadLetter/schema``), when the node sends dead letters.
    public var deadSchema: Schema?
    /// The schema of the `.fallback` side output of a sink with a fallback sink: its input schema.
    public var fallbackSchema: Schema?
    public var parallelism: Int
    /// Key field indexes into `inputSchema` for keyed operators (window with keyBy, dedupe); empty otherwise.
    public var keyFields: [Int]
    /// Where the node was declared in job.json, e.g. `operators[1]`.
    public var jsonPath: String

    public init(id: NodeID, kind: Kind, inputs: [InputRef], inputSchema: Schema?, outputSchema: Schema,
                lateSchema: Schema? = nil, deadSchema: Schema? = nil, parallelism: Int, keyFields: [Int] = [], jsonPath: String) {
        self.deadSchema = deadSchema
        self.id = id
        self.kind = kind
        self.inputs = inputs
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.lateSchema = lateSchema
        self.parallelism = parallelism
        self.keyFields = keyFields
        self.jsonPath = jsonPath
    }

    public var typeName: String {
        switch kind {
        case .source(let s): return "source:\(s.kind.rawValue)"
        case .filter: return "filter"
        case .map: return "map"
        case .window: return "window"
        case .dedupe: return "dedupe"
        case .sink(let s): return "sink:\(s.spec.kind.rawValue)"
        }
    }

    public var isSource: Bool { if case .source = kind { return true } else { return false } }

    /// Stateless one-in-one-out operators that can be chained into their upstream's task.
    public var isStateless: Bool {
        switch kind {
        case .filter, .map, .sink: return true
        default: return false
        }
    }

    public var isKeyed: Bool {
        switch kind {
        case .window(let w): return !w.keyFields.isEmpty
        case .dedupe: return true
        default: return false
        }
    }
}

/// A map: each output column is an input column or a computed expression.
public struct MapProgram: Sendable {
    public enum OutputColumn: Sendable, Hashable {
        case input(Int)
        case computed(Int)
    }

    public var expressions: [CompiledExpression]
    public var outputs: [OutputColumn]
    /// The field each expression sets (`set` order), for messages.
    public var names: [String] = []
    /// What a record whose expression fails does; nil: failures give null (see ``CompiledExpression/failures(_:)``).
    public var onError: OnError?

    public init(expressions: [CompiledExpression], outputs: [OutputColumn], names: [String] = [], onError: OnError? = nil) {
        self.expressions = expressions
        self.outputs = outputs
        self.names = names
        self.onError = onError
    }
}

public struct WindowPlan: Sendable {
    public var window: WindowSpec
    /// Key field indexes into the input schema.
    public var keyFields: [Int]
    /// The event-time field index in the input schema (the source's `eventTime.field`, carried through).
    public var timeField: Int?
    public var aggregates: [CompiledAggregate]
    public var allowedLatenessMs: Int64
    public var stateTtlMs: Int64?

    public init(window: WindowSpec, keyFields: [Int], timeField: Int?, aggregates: [CompiledAggregate],
                allowedLatenessMs: Int64, stateTtlMs: Int64?) {
        self.window = window
        self.keyFields = keyFields
        self.timeField = timeField
        self.aggregates = aggregates
        self.allowedLatenessMs = allowedLatenessMs
        self.stateTtlMs = stateTtlMs
    }
}

public struct CompiledAggregate: Sendable {
    public var name: String
    public var function: AggregateSpec.Function
    public var argument: CompiledExpression?
    public var outputType: FieldType

    public init(name: String, function: AggregateSpec.Function, argument: CompiledExpression?, outputType: FieldType) {
        self.name = name
        self.function = function
        self.argument = argument
        self.outputType = outputType
    }
}

public struct DedupePlan: Sendable {
    public var keyFields: [Int]
    public var timeField: Int?
    public var withinMs: Int64

    public init(keyFields: [Int], timeField: Int?, withinMs: Int64) {
        self.keyFields = keyFields
        self.timeField = timeField
        self.withinMs = withinMs
    }
}

public struct SinkPlan: Sendable {
    public var spec: SinkSpec
    /// Input column indexes to write, in order.
    public var columns: [Int]
    /// Names of the written columns (header and JSON keys).
    public var columnNames: [String]
    public var partition: CompiledExpression?

    public init(spec: SinkSpec, columns: [Int], columnNames: [String], partition: CompiledExpression?) {
        self.spec = spec
        self.columns = columns
        self.columnNames = columnNames
        self.partition = partition
    }
}
