/// A batch of records in columnar form: the unit that crosses every channel.
///
/// Columns are in schema order; the schema itself is known from the plan and not carried.
/// A single record never travels alone: sources, operators and partitioners produce whole batches.
public struct RecordBatch: Sendable, Hashable {
    public var count: Int
    public var columns: [Column]

    public init(count: Int, columns: [Column]) {
        self.count = count
        self.columns = columns
    }

    /// A batch with no rows and one empty column per field of `schema`.
    public static func empty(_ schema: Schema) -> RecordBatch {
        RecordBatch(count: 0, columns: schema.fields.map { Column.empty($0.type) })
    }

    /// Builds a batch from rows of values (tests and cold paths).
    public init(schema: Schema, rows: [[Value]]) {
        var b = BatchBuilder(schema: schema, capacity: rows.count)
        for row in rows { b.appendRow(row) }
        self = b.finish()
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int32]) -> RecordBatch {
        RecordBatch(count: indices.count, columns: columns.map { $0.gather(indices) })
    }

    /// The rows where `mask` is true.
    public func filter(_ mask: [Bool]) -> RecordBatch {
        var idx: [Int32] = []
        idx.reserveCapacity(count)
        for i in 0..<count where mask[i] { idx.append(Int32(i)) }
        if idx.count == count { return self }
        return gather(idx)
    }

    /// Row `i` as values (cold path).
    public func row(_ i: Int, schema: Schema) -> [Value] {
        (0..<columns.count).map { columns[$0].value(at: i, as: schema[$0].type) }
    }

    /// Every row as values (tests and cold paths).
    public func rows(schema: Schema) -> [[Value]] { (0..<count).map { row($0, schema: schema) } }
}

/// Builds a ``RecordBatch`` row by row, keeping one typed array per column so appends never copy.
///
/// Call exactly one `append…` (or ``appendNull(_:)``) per column per row, in any column order, then
/// ``endRow()``.
public struct BatchBuilder: Sendable {
    public let schema: Schema
    @usableFromInline var ints: [[Int64]]
    @usableFromInline var floats: [[Double]]
    @usableFromInline var bools: [[Bool]]
    @usableFromInline var strings: [StringArray]
    @usableFromInline var validity: [[Bool]?]
    /// Columns that have a validity mask (got a null in this batch), so ``endRow()`` touches only them.
    @usableFromInline var nullable: [Int] = []
    /// For each column: which typed array holds it.
    @usableFromInline let slot: [Int]
    public var count: Int = 0

    public init(schema: Schema, capacity: Int = 1024) {
        self.schema = schema
        var ints: [[Int64]] = [], floats: [[Double]] = [], bools: [[Bool]] = [], strings: [StringArray] = []
        var slot: [Int] = []
        for f in schema.fields {
            switch f.type {
            case .int, .timestamp:
                slot.append(ints.count)
                ints.append([])
                ints[ints.count - 1].reserveCapacity(capacity)
            case .float:
                slot.append(floats.count)
                floats.append([])
                floats[floats.count - 1].reserveCapacity(capacity)
            case .bool:
                slot.append(bools.count)
                bools.append([])
                bools[bools.count - 1].reserveCapacity(capacity)
            case .string:
                slot.append(strings.count)
                var s = StringArray()
                s.reserve(strings: capacity, bytes: capacity * 16)
                strings.append(s)
            }
        }
        self.ints = ints
        self.floats = floats
        self.bools = bools
        self.strings = strings
        self.slot = slot
        self.validity = Array(repeating: nil, count: schema.count)
    }

    @inlinable public mutating func appendInt(_ column: Int, _ v: Int64) { ints[slot[column]].append(v) }
    @inlinable public mutating func appendFloat(_ column: Int, _ v: Double) { floats[slot[column]].append(v) }
    @inlinable public mutating func appendBool(_ column: Int, _ v: Bool) { bools[slot[column]].append(v) }
    @inlinable public mutating func appendString(_ column: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        strings[slot[column]].append(bytes: bytes)
    }
    @inlinable public mutating func appendString(_ column: Int, _ bytes: [UInt8]) {
        strings[slot[column]].append(bytes: bytes)
    }
    public mutating func appendString(_ column: Int, _ s: String) { strings[slot[column]].append(s) }

    /// Appends a null to `column` (a placeholder value plus a cleared validity bit).
    public mutating func appendNull(_ column: Int) {
        if validity[column] == nil {
            validity[column] = [Bool](repeating: true, count: count)
            nullable.append(column)
        }
        switch schema[column].type {
        case .int, .timestamp: ints[slot[column]].append(0)
        case .float: floats[slot[column]].append(0)
        case .bool: bools[slot[column]].append(false)
        case .string: strings[slot[column]].appendEmpty()
        }
        validity[column]!.append(false)
    }

    /// Finishes the current row (every column must have received its value or a null).
    @inlinable public mutating func endRow() {
        count += 1
        for c in nullable where validity[c]!.count < count { validity[c]!.append(true) }
    }

    /// Appends a row of values, converting ints to floats where the column is `float`.
    public mutating func appendRow(_ row: [Value]) {
        for (c, v) in row.enumerated() { appendValue(c, v) }
        endRow()
    }

    public mutating func appendValue(_ c: Int, _ v: Value) {
        switch (schema[c].type, v) {
        case (_, .null): appendNull(c)
        case (.int, .int(let x)), (.timestamp, .timestamp(let x)), (.timestamp, .int(let x)), (.int, .timestamp(let x)):
            appendInt(c, x)
        case (.float, .float(let x)): appendFloat(c, x)
        case (.float, .int(let x)): appendFloat(c, Double(x))
        case (.bool, .bool(let b)): appendBool(c, b)
        case (.string, .string(let s)): appendString(c, s)
        default: preconditionFailure("BatchBuilder.appendValue: \(v) does not fit column \(schema[c])")
        }
    }

    /// The number of string bytes buffered so far (to cap batch size in bytes).
    public var stringBytes: Int { strings.reduce(0) { $0 + $1.bytes.count } }

    /// Returns the batch built so far and resets the builder.
    public mutating func finish() -> RecordBatch {
        var cols: [Column] = []
        cols.reserveCapacity(schema.count)
        for (c, f) in schema.fields.enumerated() {
            let v = validity[c]
            switch f.type {
            case .int, .timestamp: cols.append(Column(.int(ints[slot[c]]), validity: v))
            case .float: cols.append(Column(.float(floats[slot[c]]), validity: v))
            case .bool: cols.append(Column(.bool(bools[slot[c]]), validity: v))
            case .string: cols.append(Column(.string(strings[slot[c]]), validity: v))
            }
        }
        let batch = RecordBatch(count: count, columns: cols)
        let cap = max(count, 16)
        for i in ints.indices { ints[i] = []; ints[i].reserveCapacity(cap) }
        for i in floats.indices { floats[i] = []; floats[i].reserveCapacity(cap) }
        for i in bools.indices { bools[i] = []; bools[i].reserveCapacity(cap) }
        for i in strings.indices {
            let n = strings[i].bytes.count
            strings[i] = StringArray()
            strings[i].reserve(strings: cap, bytes: n)
        }
        for i in validity.indices { validity[i] = nil }
        nullable.removeAll(keepingCapacity: true)
        count = 0
        return batch
    }

    /// Drops the partially appended current row (values appended since the last ``endRow()``).
    public mutating func discardPartialRow() {
        for (c, f) in schema.fields.enumerated() {
            switch f.type {
            case .int, .timestamp: if ints[slot[c]].count > count { ints[slot[c]].removeLast() }
            case .float: if floats[slot[c]].count > count { floats[slot[c]].removeLast() }
            case .bool: if bools[slot[c]].count > count { bools[slot[c]].removeLast() }
            case .string:
                if strings[slot[c]].count > count {
                    let s = strings[slot[c]]
                    let lo = Int(s.offsets[count])
                    strings[slot[c]].bytes.removeSubrange(lo...)
                    strings[slot[c]].offsets.removeLast()
                }
            }
            if let v = validity[c], v.count > count { validity[c]!.removeLast() }
        }
    }
}
