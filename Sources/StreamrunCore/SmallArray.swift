/// An array that stores its first element inline and the rest in an ordinary `Array`.
///
/// Made for state values that almost always hold exactly one element (the open window of a key,
/// the one accumulator of a `count()`): such a value needs no heap allocation of its own, lives
/// inside the dictionary bucket that holds it, and is read without a pointer chase — which is what
/// keyed state pays for on every record and on every checkpoint of every key.
public struct SmallArray<Element> {
    @usableFromInline var head: Element?
    @usableFromInline var tail: [Element]

    @inlinable public init() {
        head = nil
        tail = []
    }

    @inlinable public init(_ elements: some Sequence<Element>) {
        self.init()
        for e in elements { append(e) }
    }

    @inlinable public mutating func append(_ element: Element) {
        if head == nil { head = element } else { tail.append(element) }
    }

    /// Removes and returns the element at `i`; later elements move down by one.
    @inlinable @discardableResult public mutating func remove(at i: Int) -> Element {
        precondition(i >= 0 && i < count, "SmallArray index out of range")
        guard i == 0 else { return tail.remove(at: i - 1) }
        let first = head.unsafelyUnwrapped
        head = tail.isEmpty ? nil : tail.removeFirst()
        return first
    }

    @inlinable public mutating func reserveCapacity(_ n: Int) {
        if n > 1 { tail.reserveCapacity(n - 1) }
    }
}

extension SmallArray: RandomAccessCollection, MutableCollection {
    public typealias Index = Int

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { head == nil ? 0 : 1 + tail.count }
    @inlinable public var count: Int { endIndex }
    @inlinable public var isEmpty: Bool { head == nil }

    @inlinable public subscript(i: Int) -> Element {
        // Always inlined: then reading one field of an element loads that field, instead of
        // copying (retaining) the whole element in an out-of-line getter.
        @inline(__always) get {
            precondition(i >= 0 && i < count, "SmallArray index out of range")
            return i == 0 ? head.unsafelyUnwrapped : tail[i - 1]
        }
        @inline(__always) _modify {
            precondition(i >= 0 && i < count, "SmallArray index out of range")
            if i == 0 { yield &head! } else { yield &tail[i - 1] }
        }
    }
}

extension SmallArray: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension SmallArray: Equatable where Element: Equatable {
    @inlinable public static func == (a: SmallArray, b: SmallArray) -> Bool { a.elementsEqual(b) }
}

extension SmallArray: Sendable where Element: Sendable {}

extension SmallArray: CustomStringConvertible {
    public var description: String { Array(self).description }
}
