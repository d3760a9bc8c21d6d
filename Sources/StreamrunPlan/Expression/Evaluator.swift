import StreamrunCore

/// Evaluates an ``Expr`` tree over a batch, one node (one tight loop) at a time.
///
/// Constants stay scalars all the way down, so `auction % 123 == 0` never materializes 123 or 0 as
/// arrays; a field returns the batch's own column without copying.
enum Evaluator {
    static func evaluate(_ e: Expr, _ batch: RecordBatch) throws(StreamrunError) -> Datum {
        switch e.op {
        case .constant(let s): return .scalar(s)
        case .field(let i, let name):
            guard i < batch.columns.count else {
                throw StreamrunError(
                    .internalError, "expression field \"\(name)\" is column \(i), but the batch has \(batch.columns.count)",
                    retry: .internal)
            }
            let c = batch.columns[i]
            guard c.count == batch.count, Datum.column(c).storageKind == storage(e.type) else {
                throw StreamrunError(
                    .internalError,
                    "expression field \"\(name)\": column \(i) does not match the schema (\(c.count) rows for a batch of \(batch.count))",
                    retry: .internal)
            }
            return .column(c)
        default: break
        }
        let children = e.children
        var args: [Datum] = []
        args.reserveCapacity(children.count)
        var allScalar = true
        for c in children {
            let d = try evaluate(c, batch)
            if case .column = d { allScalar = false }
            args.append(d)
        }
        guard allScalar else { return apply(e, args, batch.count) }
        // Constant inputs (folding at compile time): run the kernel on one row and keep the scalar.
        let one = zip(args, children).map { d, c -> Datum in
            if case .scalar(let s) = d, !s.isNull { return .column(s.broadcast(1, as: c.type)) }
            return d
        }
        return .scalar(apply(e, one, 1).scalar(at: 0))
    }

    /// The storage kind a type uses (timestamps are stored as ints).
    static func storage(_ t: FieldType?) -> FieldType? { t == .timestamp ? .int : t }

    private static func apply(_ e: Expr, _ args: [Datum], _ n: Int) -> Datum {
        switch e.op {
        case .constant, .field: preconditionFailure("handled by evaluate")
        case .and: return Logic.and(args[0], args[1], n)
        case .or: return Logic.or(args[0], args[1], n)
        case .isNull: return Logic.isNull(args[0], n)
        case .coalesce: return Logic.coalesce(args, n, e.type)
        case .ifThenElse: return Logic.ifThenElse(args[0], args[1], args[2], n, e.type)
        default: break
        }
        // Every other node is null when any input is.
        if args.contains(where: \.isNullScalar) { return .scalar(.null) }
        switch e.op {
        case .arithmetic(let op, _, _): return Arithmetic.apply(op, args[0], args[1], n)
        case .negate: return Arithmetic.negate(args[0])
        case .compare(let op, _, _): return Comparison.apply(op, args[0], args[1], n)
        case .not: return Logic.not(args[0])
        case .call(let f, _): return Functions.apply(f, args, n, e.type)
        default: preconditionFailure("handled above")
        }
    }
}

extension Column {
    /// The same column with every null slot holding the placeholder (0, 0.0, false or ""), so equal
    /// results compare equal. Returns `self` untouched when there are no nulls.
    func normalizingNullSlots() -> Column {
        guard let v = validity else { return self }
        switch storage {
        case .int(let a):
            return Column(.int(Loops.map(.array(a), .array(v), a.count) { $1 ? $0 : 0 }), validity: v)
        case .float(let a):
            return Column(.float(Loops.map(.array(a), .array(v), a.count) { $1 ? $0 : 0 }), validity: v)
        case .bool(let a):
            return Column(.bool(Loops.map(.array(a), .array(v), a.count) { $1 && $0 }), validity: v)
        case .string(let s):
            var dirty = false
            for i in 0..<s.count where !v[i] && s.length(i) != 0 { dirty = true }
            guard dirty else { return self }
            var out = StringArray()
            out.reserve(strings: s.count, bytes: s.bytes.count)
            for i in 0..<s.count {
                if v[i] { out.append(from: s, at: i) } else { out.appendEmpty() }
            }
            return Column(.string(out), validity: v)
        }
    }
}
