import StreamrunCore
import Testing

@Suite struct SmallArrayTests {
    @Test func appendsAndReadsLikeAnArray() {
        var a = SmallArray<Int>()
        #expect(a.isEmpty && a.count == 0 && Array(a) == [])
        for i in 1...5 { a.append(i * 10) }
        #expect(a.count == 5 && !a.isEmpty)
        #expect(Array(a) == [10, 20, 30, 40, 50])
        #expect(a[0] == 10 && a[4] == 50)
        #expect(a.firstIndex(of: 30) == 2)
    }

    @Test func mutatesInPlaceThroughTheSubscript() {
        var a: SmallArray<[Int]> = [[1], [2]]
        a[0].append(9)
        a[1][0] += 5
        #expect(Array(a) == [[1, 9], [7]])
    }

    /// Removing at every position of every length gives what `Array.remove(at:)` gives.
    @Test func removeMatchesArray() {
        for n in 1...4 {
            for i in 0..<n {
                var small = SmallArray(0..<n)
                var plain = Array(0..<n)
                #expect(small.remove(at: i) == plain.remove(at: i))
                #expect(Array(small) == plain, "n \(n), removed at \(i)")
                #expect(small.isEmpty == plain.isEmpty)
            }
        }
    }

    @Test func removingTheOnlyElementEmptiesIt() {
        var a: SmallArray<String> = ["x"]
        #expect(a.remove(at: 0) == "x")
        #expect(a.isEmpty)
        a.append("y")
        #expect(Array(a) == ["y"])
    }

    @Test func equalityComparesElements() {
        #expect(SmallArray([1, 2, 3]) == [1, 2, 3])
        #expect(SmallArray([1, 2]) != [1, 2, 3])
        #expect(SmallArray<Int>() == [])
    }
}
