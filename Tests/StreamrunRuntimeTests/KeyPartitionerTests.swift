import StreamrunCore
import StreamrunRuntime
import Testing

@Suite struct KeyPartitionerTests {
    let schema = Schema([Field("k", .int), Field("s", .string)])

    @Test func keyGroupRangesAreContiguousAndCoverAll() {
        for p in [1, 2, 3, 7, 128] {
            var covered: [Int] = []
            for i in 0..<p {
                let r = KeyGroups.range(subtask: i, maxParallelism: 128, parallelism: p)
                covered += Array(r)
                for g in r { #expect(KeyGroups.subtask(group: g, maxParallelism: 128, parallelism: p) == i) }
            }
            #expect(covered == Array(0..<128))
        }
    }

    @Test func sameKeyAlwaysSameSubtaskAndOrderKept() {
        let rows: [[Value]] = (0..<1000).map { i in [.int(Int64(i % 37)), .string("v\(i)")] }
        let batch = RecordBatch(schema: schema, rows: rows)
        let parts = KeyPartitioner.split(batch, fields: [0], maxParallelism: 128, parallelism: 3)
        #expect(parts.reduce(0) { $0 + $1.count } == 1000)
        var owner: [Int64: Int] = [:]
        for (p, part) in parts.enumerated() {
            var lastIndex: [Int64: Int] = [:]
            for row in part.rows(schema: schema) {
                guard case .int(let k) = row[0], case .string(let s) = row[1] else { Issue.record("bad row"); continue }
                if let o = owner[k] { #expect(o == p) } else { owner[k] = p }
                let i = Int(s.dropFirst())!
                #expect(i > (lastIndex[k] ?? -1))
                lastIndex[k] = i
            }
        }
        #expect(Set(owner.values).count == 3)  // 37 keys spread over all 3 subtasks
    }

    static let pinned0: UInt64 = 4_514_352_067_115_607_392
    static let pinned1: UInt64 = 13_639_162_880_475_898_875

    @Test func hashIsStableAcrossRuns() {
        // Pinned values: a change here would move every key's state to another key group.
        let batch = RecordBatch(schema: schema, rows: [[.int(42), .string("x")], [.null, .string("")]])
        let h = batch.keyHashes([0, 1])
        #expect(h == [Self.pinned0, Self.pinned1])
        #expect(KeyGroups.group(hash: batch.keyHashes([0])[0], maxParallelism: 128) == KeyGroups.group(hash: RecordBatch(schema: schema, rows: [[.int(42), .string("other")]]).keyHashes([0])[0], maxParallelism: 128))
        #expect(h[0] != h[1])
    }
}
