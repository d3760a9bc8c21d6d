import HeapModule

/// A min-priority queue of timers (window ends, TTL deadlines), on swift-collections' `Heap`.
///
/// Firing pops the due timers in O(log n) each, so advancing the watermark never scans all state.
/// Timers are never cancelled in place: an operator validates a popped timer against its state and
/// drops it when stale, which keeps updates O(log n) and the heap a plain value (copied on write like
/// the rest of keyed state).
///
/// Elements that compare equal (`!(a < b) && !(b < a)`, such as two timers with the same deadline)
/// pop in the order they were pushed: each element carries a push sequence number that breaks ties,
/// so the order never depends on the heap's internal layout.
public struct TimerHeap<Element: Comparable>: Sendable where Element: Sendable {
    /// An element and its push number, ordered by element, then push number.
    @usableFromInline struct Entry: Comparable, Sendable {
        @usableFromInline let element: Element
        @usableFromInline let sequence: UInt64

        @inlinable init(element: Element, sequence: UInt64) {
            self.element = element
            self.sequence = sequence
        }

        @inlinable static func < (a: Entry, b: Entry) -> Bool {
            if a.element < b.element { return true }
            if b.element < a.element { return false }
            return a.sequence < b.sequence
        }

        @inlinable static func == (a: Entry, b: Entry) -> Bool { a.sequence == b.sequence }
    }

    @usableFromInline var heap = Heap<Entry>()
    @usableFromInline var pushed: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The smallest element (the first pushed among equal ones), without removing it.
    @inlinable public var top: Element? { heap.min?.element }

    @inlinable public mutating func push(_ e: Element) {
        heap.insert(Entry(element: e, sequence: pushed))
        pushed &+= 1
    }

    /// Removes and returns the smallest element (the first pushed among equal ones).
    @inlinable @discardableResult public mutating func pop() -> Element? {
        heap.popMin()?.element
    }

    /// Pops the smallest element if `isDue` holds for it.
    @inlinable public mutating func pop(where isDue: (Element) -> Bool) -> Element? {
        guard let t = heap.min, isDue(t.element) else { return nil }
        return heap.removeMin().element
    }
}
