import StreamrunCore

/// How a job runs: nodes grouped into stages (chains), and how records move between stages.
///
/// A stage runs as one task per subtask. Stateless one-input neighbours (filter, map, sinks) with the
/// same parallelism are chained into their upstream's stage, so records move between them by a plain
/// call, with no channel hop. Every other connection is an edge: `forward` (subtask i → i), `rebalance`
/// (round-robin by batch), or `keyed` (by key group).
public struct PhysicalPlan: Sendable {
    public enum Partitioning: Sendable, Hashable, CustomStringConvertible {
        case forward
        case rebalance
        /// Hash of these input columns → key group → owning subtask.
        case keyed([Int])

        public var description: String {
            switch self {
            case .forward: return "forward"
            case .rebalance: return "rebalance"
            case .keyed: return "keyed"
            }
        }
    }

    /// An edge into a stage: records from `from` (a node of stage `fromStage`) reach node `to`, the stage head.
    public struct Edge: Sendable, Hashable {
        public var fromStage: Int
        public var from: InputRef
        public var toStage: Int
        public var partitioning: Partitioning
    }

    public struct Stage: Sendable {
        public var index: Int
        /// Node ids, the head first, then chained nodes in topological order.
        public var nodes: [NodeID]
        public var parallelism: Int
        public var head: NodeID { nodes[0] }
        /// Edges into the head, in a fixed order (the order of the head's `inputs`).
        public var inputs: [Edge]
    }

    public var stages: [Stage]
    public let maxParallelism: Int

    /// The stage that runs `node`.
    public func stage(of node: NodeID) -> Int? { stages.firstIndex { $0.nodes.contains(node) } }

    /// Edges that leave `stage`.
    public func outgoing(from stage: Int) -> [Edge] {
        stages.flatMap { $0.inputs }.filter { $0.fromStage == stage }
    }

    public init(_ plan: JobPlan) {
        maxParallelism = plan.spec.maxParallelism
        var stageOf: [NodeID: Int] = [:]
        var stages: [Stage] = []
        for node in plan.nodes {
            if let up = Self.chainTarget(node, plan), let s = stageOf[up] {
                stageOf[node.id] = s
                stages[s].nodes.append(node.id)
                continue
            }
            let s = stages.count
            stageOf[node.id] = s
            let edges = node.inputs.map { ref -> Edge in
                let upstream = plan.node(ref.node)!
                let part: Partitioning
                if node.isKeyed {
                    part = .keyed(node.keyFields)
                } else if upstream.parallelism == node.parallelism {
                    part = .forward
                } else {
                    part = .rebalance
                }
                return Edge(fromStage: stageOf[ref.node]!, from: ref, toStage: s, partitioning: part)
            }
            stages.append(Stage(index: s, nodes: [node.id], parallelism: node.parallelism, inputs: edges))
        }
        self.stages = stages
    }

    /// The node `node` chains onto, if it can be chained: a stateless node with exactly one input,
    /// from a node with the same parallelism.
    static func chainTarget(_ node: PlanNode, _ plan: JobPlan) -> NodeID? {
        guard node.isStateless, node.inputs.count == 1, let up = plan.node(node.inputs[0].node),
            up.parallelism == node.parallelism
        else { return nil }
        return up.id
    }
}
