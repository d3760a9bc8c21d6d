import StreamrunCore
import Testing
@testable import StreamrunPlan

/// Damaged jobs never crash the loader, and every rejection says something.
@Suite("job.json robustness")
struct JobRobustnessTests {
    @Test func everyTruncationIsASyntaxError() {
        let bytes = Array(JobParserTests.example.utf8)
        for n in 0..<bytes.count {
            let found = JobLoader.check(data: Array(bytes[..<n]), file: "job.json").issues
            #expect(found.count == 1 && found[0].path.hasPrefix("job.json:"), "truncated at \(n)")
        }
    }

    /// Removing any one member anywhere never crashes, and a job without problems always has a plan.
    @Test func removingAnyMemberIsHandled() throws {
        let root = try JSONParser.parse(JobParserTests.example)
        var removed = 0
        for variant in Self.withOneMemberRemoved(root) {
            let parsed = JobParser.read(variant)
            let (plan, issues) = JobValidator.check(parsed.spec, hints: parsed.hints)
            let all = parsed.issues + issues
            // With no problem there is always a plan; with one, the loader reports instead.
            #expect(!all.isEmpty || plan != nil)
            removed += 1
        }
        #expect(removed > 40)
    }

    /// Replacing any scalar with a value of every other JSON type is handled.
    @Test func wrongTypesAnywhereAreHandled() throws {
        let root = try JSONParser.parse(JobParserTests.example)
        let replacements: [JSONValue.Kind] = [
            .null, .bool(true), .number(JSONNumber(text: "-1", double: -1, int: -1)), .string("x"), .array([]), .object(JSONObject()),
        ]
        for r in replacements {
            for variant in Self.withEachValueReplaced(root, by: JSONValue(r)) {
                let parsed = JobParser.read(variant)
                let (plan, issues) = JobValidator.check(parsed.spec, hints: parsed.hints)
                #expect(!(parsed.issues + issues).isEmpty || plan != nil)
            }
        }
    }

    static func withOneMemberRemoved(_ v: JSONValue) -> [JSONValue] {
        switch v.kind {
        case .object(let o):
            var out: [JSONValue] = []
            for (i, m) in o.members.enumerated() {
                var without = o
                without.members.remove(at: i)
                out.append(JSONValue(.object(without)))
                for inner in withOneMemberRemoved(m.value) {
                    var copy = o
                    copy.members[i].value = inner
                    out.append(JSONValue(.object(copy)))
                }
            }
            return out
        case .array(let a):
            return a.indices.flatMap { i in
                withOneMemberRemoved(a[i]).map { inner in
                    var copy = a
                    copy[i] = inner
                    return JSONValue(.array(copy))
                }
            }
        default:
            return []
        }
    }

    static func withEachValueReplaced(_ v: JSONValue, by r: JSONValue) -> [JSONValue] {
        switch v.kind {
        case .object(let o):
            return o.members.indices.flatMap { i in
                ([r] + withEachValueReplaced(o.members[i].value, by: r)).map { inner in
                    var copy = o
                    copy.members[i].value = inner
                    return JSONValue(.object(copy))
                }
            }
        case .array(let a):
            return a.indices.flatMap { i in
                ([r] + withEachValueReplaced(a[i], by: r)).map { inner in
                    var copy = a
                    copy[i] = inner
                    return JSONValue(.array(copy))
                }
            }
        default:
            return []
        }
    }
}
