import StreamrunCore
import Testing

@testable import StreamrunPlan

/// Random expressions over random batches: the vectorized evaluator must agree with the
/// row-at-a-time reference interpreter in ``RNode`` on every row, and the compiler with its types.
@Suite struct ExpressionPropertyTests {
    @Test func vectorizedMatchesReference() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("seed", seed)
        try check(seed: seed, cases: 1500)
    }

    /// A fixed seed, so a regression is caught even by a lucky random seed.
    @Test func fixedSeed() throws {
        try check(seed: 20_240_101, cases: 1500)
    }

    func check(seed: UInt64, cases: Int) throws {
        var g = ExprGenerator(rng: SplitMix64(seed: seed))
        let schema = ExprGenerator.schema
        var failures = 0
        for k in 0..<cases {
            let tree = g.gen(g.pick(FieldType.allCases), Int.random(in: 1...5, using: &g.rng))
            let source = tree.render(schema, &g.rng)
            let compiled: CompiledExpression
            switch ExpressionCompiler.compile(source, schema: schema) {
            case .success(let e): compiled = e
            case .failure(let err):
                Issue.record("seed \(seed) case \(k): \(source) failed to compile: \(err) at \(String(describing: err.offset))")
                failures += 1
                if failures > 5 { return }
                continue
            }
            #expect(compiled.type == tree.type, "seed \(seed) case \(k): type of \(source)")
            let (batch, rows) = g.batch()
            let column = try compiled.evaluate(batch)
            #expect(column.count == rows.count)
            #expect(ExprFixture.storageMatches(column, compiled.type), "seed \(seed) case \(k): storage of \(source)")
            for (i, row) in rows.enumerated() {
                let want = RNode.typed(tree.eval(row), tree.type)
                let got = column.value(at: i, as: compiled.type ?? .string)
                if !sameValue(got, want) {
                    Issue.record("seed \(seed) case \(k): \(source)\n  row \(row)\n  got \(got), want \(want)")
                    failures += 1
                    if failures > 5 { return }
                    break
                }
            }
        }
    }
}
