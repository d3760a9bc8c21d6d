/// A binary min-heap: the timer structure of keyed operators (window ends, TTL deadlines).
///
/// Firing pops the due timers in O(log n) each, so advancing the watermark never scans all state.
/// Timers are never cancelled in place: an operator validates a popped timer against its state and
/// drops it when stale, which keeps updates O(log n) and the heap a plain array (a value type,
/// copied on write like the rest of keyed state).
public struct TimerHeap<Element: Comparable>: Sendable where Element: Sendable {
    @usableFromInline var items: [Element] = []

    public init() {}

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    /// The smallest element, without removing it.
    @inlinable public var top: Element? { items.first }

    @inlinable public mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !(items[i] < items[parent]) { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the smallest element.
    @inlinable @discardableResult public mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        let last = items.count - 1
        items.swapAt(0, last)
        let result = items.removeLast()
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && items[l] < items[m] { m = l }
            if r < n && items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return result
    }

    /// Pops the smallest element if `isDue` holds for it.
    @inlinable public mutating func pop(where isDue: (Element) -> Bool) -> Element? {
        guard let t = items.first, isDue(t) else { return nil }
        return pop()
    }
}
