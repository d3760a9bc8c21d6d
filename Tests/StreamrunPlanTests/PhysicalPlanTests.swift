import StreamrunCore
import Testing

@testable import StreamrunPlan

/// Chaining and edge partitioning, from real job.json text.
@Suite struct PhysicalPlanTests {
    static let source = #"{ "id": "bids", "type": "file", "path": "x", "schema": { "auction": "int", "price": "int", "dateTime": "timestamp" }, "eventTime": { "field": "dateTime" } }"#

    func plan(_ operators: String, _ sinks: String, parallelism: Int = 2) throws -> (JobPlan, PhysicalPlan) {
        let text = #"{ "name": "t", "parallelism": \#(parallelism), "sources": [\#(Self.source)], "operators": \#(operators), "sinks": \#(sinks) }"#
        let p = try JobLoader.parse(data: Array(text.utf8), file: "job.json")
        return (p, PhysicalPlan(p))
    }

    @Test func statelessNeighboursChainIntoOneStage() throws {
        let (_, phys) = try plan(
            #"[{ "id": "f", "type": "filter", "inputs": ["bids"], "where": "price > 1" }, { "id": "m", "type": "map", "inputs": ["f"], "set": { "p2": "price * 2" } }]"#,
            #"[{ "id": "out", "type": "file", "inputs": ["m"], "path": "o" }]"#)
        #expect(phys.stages.count == 1)
        #expect(phys.stages[0].nodes == ["bids", "f", "m", "out"])
        #expect(phys.stages[0].parallelism == 2)
    }

    @Test func fanOutChainsBothBranches() throws {
        let (_, phys) = try plan(
            #"[{ "id": "a", "type": "filter", "inputs": ["bids"], "where": "price > 1" }, { "id": "b", "type": "filter", "inputs": ["bids"], "where": "price < 1" }]"#,
            #"[{ "id": "o1", "type": "file", "inputs": ["a"], "path": "o1" }, { "id": "o2", "type": "file", "inputs": ["b"], "path": "o2" }]"#)
        #expect(phys.stages.count == 1)
        #expect(Set(phys.stages[0].nodes) == ["bids", "a", "b", "o1", "o2"])
    }

    @Test func keyedOperatorStartsAStageWithAKeyedEdge() throws {
        let (_, phys) = try plan(
            #"[{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "10s" }, "aggregates": { "n": "count()" } }]"#,
            #"[{ "id": "out", "type": "file", "inputs": ["w"], "path": "o" }]"#)
        #expect(phys.stages.count == 2)
        #expect(phys.stages[1].nodes == ["w", "out"])
        #expect(phys.stages[1].inputs.count == 1)
        #expect(phys.stages[1].inputs[0].partitioning == .keyed([0]))
    }

    @Test func differentParallelismRebalances() throws {
        let (_, phys) = try plan("[]", #"[{ "id": "out", "type": "file", "inputs": ["bids"], "path": "o", "parallelism": 1 }]"#)
        #expect(phys.stages.count == 2)
        #expect(phys.stages[1].inputs[0].partitioning == .rebalance)
        #expect(phys.stages[1].parallelism == 1)
    }

    @Test func fanInIsItsOwnStageWithOneEdgePerInput() throws {
        let (_, phys) = try plan(
            #"[{ "id": "a", "type": "filter", "inputs": ["bids"], "where": "price > 1" }, { "id": "b", "type": "filter", "inputs": ["bids"], "where": "price < 1" }]"#,
            #"[{ "id": "out", "type": "file", "inputs": ["a", "b"], "path": "o" }]"#)
        let sinkStage = phys.stages[phys.stage(of: "out")!]
        #expect(sinkStage.nodes == ["out"])
        #expect(sinkStage.inputs.map(\.from.node) == ["a", "b"])
        #expect(sinkStage.inputs.allSatisfy { $0.partitioning == .forward })
    }

    @Test func describeNamesKeyedEdgesAndChains() throws {
        let (p, phys) = try plan(
            #"[{ "id": "w", "type": "window", "inputs": ["bids"], "keyBy": ["auction"], "window": { "type": "tumbling", "size": "10s" }, "aggregates": { "n": "count()" } }]"#,
            #"[{ "id": "out", "type": "file", "inputs": ["w"], "path": "o" }]"#)
        let text = phys.describe(p)
        #expect(text.contains("keyed by auction"))
        #expect(text.contains("↳ chained out [sink:file]"))
    }
}

/// Issue 11, item 21 (part): `plan` prints durations as job.json writes them.
@Suite struct PlanDescribeTests {
    @Test func windowsReadAsJobJSON() {
        #expect(WindowSpec.tumbling(sizeMs: 1000).description == "tumbling 1s")
        #expect(WindowSpec.sliding(sizeMs: 10_000, slideMs: 2000).description == "sliding 10s every 2s")
        #expect(WindowSpec.session(gapMs: 900_000).description == "session gap 15m")
        #expect(WindowSpec.tumbling(sizeMs: 1500).description == "tumbling 1500ms")
    }
}
