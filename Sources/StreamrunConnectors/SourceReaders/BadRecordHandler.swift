import DequeModule
import Logging
import StreamrunCore
import StreamrunPlan
import StreamrunRuntime

/// What one source subtask does with bad records, by the source's `onError`: fail the job with the
/// record's file and line, collect a dead letter for the source's `.dead` output, or skip it (counted,
/// and the first ones logged). Also keeps `maxErrorRate`: more than `rate × window` bad records among
/// the last `window` records read fails the job.
///
/// Owned by one reader task (or one map subtask, for records its expressions fail on); the counters
/// it bumps are the node's (shared by its subtasks).
final class BadRecordHandler {
    let sourceID: String
    let onError: OnError
    let maxRecordSize: Int
    /// Stripped from file paths in dead letters (see ``SourceSpec/pathBase``).
    private let pathPrefix: String?
    private var rateWindow: ErrorRateWindow?
    private let metrics: NodeMetrics?
    private let logger: Logger
    private var letters: [DeadLetter] = []
    private var skippedHere = 0

    convenience init(spec: SourceSpec, metrics: NodeMetrics?, logger: Logger = Logger(label: "streamrun")) {
        self.init(id: spec.id, onError: spec.onError, metrics: metrics, logger: logger, maxRecordSize: spec.maxRecordSize,
                  pathBase: spec.pathBase, maxErrorRate: spec.maxErrorRate)
    }

    init(id: String, onError: OnError, metrics: NodeMetrics?, logger: Logger = Logger(label: "streamrun"),
         maxRecordSize: Int = SourceSpec.defaultMaxRecordSize, pathBase: String? = nil, maxErrorRate: ErrorRate? = nil) {
        self.sourceID = id
        self.onError = onError
        self.maxRecordSize = maxRecordSize
        self.pathPrefix = pathBase.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        self.rateWindow = maxErrorRate.map { ErrorRateWindow(limit: $0) }
        self.metrics = metrics
        self.logger = logger
    }

    /// How a dead letter names `path`: relative to job.json's directory when the source's path was.
    func displayPath(_ path: String) -> String {
        guard let prefix = pathPrefix, path.hasPrefix(prefix) else { return path }
        return String(path.dropFirst(prefix.count))
    }

    /// `n` good records were read (they count for `maxErrorRate`).
    @inline(__always)
    func good(_ n: Int) {
        if rateWindow != nil { rateWindow!.good(n) }
    }

    /// A bad record. Throws the record's error (with `location`, `file:line`) under `"fail"`, or when
    /// it takes the source past `maxErrorRate`.
    func bad(_ letter: DeadLetter, location: String) throws(StreamrunError) {
        if onError == .fail { throw StreamrunError(.malformedRecord, letter.message, location: location) }
        if rateWindow?.bad() == false, let limit = rateWindow?.limit {
            throw StreamrunError(.errorRateExceeded,
                                 "source \"\(sourceID)\": more than \(limit.percent) of the last \(limit.window) records were bad "
                                 + "(maxErrorRate); the last: \(letter.rule): \(letter.message)", location: location)
        }
        switch onError {
        case .deadLetter:
            letters.append(letter)
            metrics?.deadLettered.add(1)
            metrics?.badRecords.add(rule: letter.rule.name, deadLettered: 1)
        case .skip:
            metrics?.skipped.add(1)
            metrics?.badRecords.add(rule: letter.rule.name, skipped: 1)
            skippedHere += 1
            if skippedHere <= 10 || Self.isPowerOfTen(skippedHere) {
                logger.warning("skipped a bad record at \(location) (\(letter.rule)): \(letter.message)",
                               metadata: ["source": "\(sourceID)", "at": "\(location)", "skipped": "\(skippedHere)"])
            }
        case .fail:
            break
        }
    }

    /// The dead letters collected since the last call, as one batch; nil when there are none.
    func takeDeadLetters() -> RecordBatch? {
        guard !letters.isEmpty else { return nil }
        defer { letters.removeAll(keepingCapacity: true) }
        return DeadLetter.batch(letters)
    }

    static func isPowerOfTen(_ n: Int) -> Bool {
        var k = n
        while k >= 10 && k % 10 == 0 { k /= 10 }
        return k == 1
    }
}

/// The last `window` records a subtask read, as the positions of the bad ones among them.
struct ErrorRateWindow {
    let limit: ErrorRate
    /// Records read so far (good and bad).
    private var read: Int64 = 0
    /// Positions (in `read` order) of the bad records among the last `window`.
    private var badPositions = Deque<Int64>()
    /// Most bad records allowed among the last `window`.
    private let allowed: Int

    init(limit: ErrorRate) {
        self.limit = limit
        self.allowed = Int((limit.rate * Double(limit.window)).rounded(.down))
    }

    mutating func good(_ n: Int) { read += Int64(n) }

    /// Counts one bad record; false when there are now more than allowed in the window.
    mutating func bad() -> Bool {
        badPositions.append(read)
        read += 1
        let oldest = read - Int64(limit.window)
        while let first = badPositions.first, first < oldest { badPositions.removeFirst() }
        return badPositions.count <= allowed
    }
}
