#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StreamrunCore
import StreamrunIO
import StreamrunPlan

/// Reads the records of one ``FileSplit`` through a large buffer filled with pread(2), handing
/// complete records to a decoder. Tracks the byte offset of the next unread record (what a checkpoint
/// stores) and the line number (for error messages).
///
/// A UTF-8 byte order mark at the start of the file is skipped by the split that starts at offset 0
/// (the first record then starts at offset 3, and a checkpoint stores that); a split resumed at a
/// later offset never skips anything.
///
/// Bad records go to `badRecords` (which fails, dead-letters or skips them by the source's `onError`),
/// with their offset, line and bytes; the reader then goes on after them. A record longer than
/// `maxRecordSize` is bad too: its first bytes are kept and the rest is skipped through the buffer,
/// never held in memory (a checkpoint taken meanwhile stores the record's start, so a restore skips it again).
final class SplitReader {
    let split: FileSplit
    var decoder: any RecordDecoder
    let follow: Bool
    /// Without one, a bad record fails the job (its `file:line` and message).
    let badRecords: BadRecordHandler?
    /// The most bytes from a record's start that a decode call sees: longer records are bad.
    private let recordLimit: Int
    /// A record longer than the limit, being skipped: its dead letter, and the bytes skipped so far.
    private var longRecord: (letter: DeadLetter, location: String, skipped: Int64, lastByte: UInt8)?
    /// Lines before `firstRecordOffset`, counted once when a line number is first needed.
    private var baseLines: Int?
    /// Allocated by the first read and released when the split is finished: a subtask holds a
    /// reader for every split it owns, most of them finished or not yet started.
    private var buffer: [UInt8] = []
    private let bufferBytes: Int
    /// Valid bytes are buffer[lo..<hi]; buffer[lo] is at file offset `recordOffset`.
    private var lo = 0
    private var hi = 0
    /// File offset of the next record to decode.
    private(set) var recordOffset: Int64
    /// File offset of the next byte to read into the buffer.
    private var readOffset: Int64
    private var eof = false
    /// Newlines consumed since `firstRecordOffset`.
    private var linesConsumed = 0
    private var firstRecordOffset: Int64 = 0
    private var positioned = false
    /// True until the start of a split at offset 0 has been checked for a byte order mark.
    private var bomPending = false
    /// True after a byte order mark was skipped and before the first record is consumed: that record
    /// starts at offset 0 for the rule "a record belongs to the split holding its first byte".
    private var firstRecordAfterBOM = false
    private(set) var finished = false {
        didSet {
            if finished {
                buffer = []
                lo = 0
                hi = 0
            }
        }
    }

    /// The UTF-8 byte order mark.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// A reader that continues a split from a checkpoint: the next record starts at `offset`.
    convenience init(split: FileSplit, decoder: any RecordDecoder, follow: Bool, badRecords: BadRecordHandler? = nil,
                     resumeAt offset: Int64, finished: Bool) {
        self.init(split: split, decoder: decoder, follow: follow, badRecords: badRecords)
        if offset > split.start || finished {
            positioned = true
            recordOffset = offset
            readOffset = offset
            firstRecordOffset = offset
            self.finished = finished
        }
    }

    init(split: FileSplit, decoder: any RecordDecoder, follow: Bool, badRecords: BadRecordHandler? = nil,
         bufferBytes: Int = 1 << 20) {
        self.split = split
        self.badRecords = badRecords
        // A record and its line break must fit in maxRecordSize bytes.
        self.recordLimit = badRecords?.maxRecordSize ?? SourceSpec.defaultMaxRecordSize
        self.decoder = decoder
        self.decoder.beginFile()
        self.follow = follow
        self.bufferBytes = bufferBytes
        self.recordOffset = split.start
        self.readOffset = split.start
    }

    /// Decodes up to `maxRows` records into `builder`. Returns the rows added; 0 with `finished == false`
    /// means a followed file has no complete new record yet.
    ///
    /// A read that fails (opening or reading the file) leaves the reader where it was: the call after
    /// it goes on at the same place. When the call had consumed records (rows, or bad records whose
    /// dead letters wait in `badRecords`) before the failure, it returns them and the next call fails.
    func read(maxRows: Int, into builder: inout BatchBuilder) throws(StreamrunError) -> Int {
        var rows = 0
        consumedRecords = false
        do {
            try read(maxRows: maxRows, into: &builder, rows: &rows)
        } catch where SourceFailover.isReadFailure(error) && (rows > 0 || consumedRecords) {
        }
        return rows
    }

    /// Set when a record (good or bad) is consumed: what a failed read must hand over.
    private var consumedRecords = false

    private func read(maxRows: Int, into builder: inout BatchBuilder, rows: inout Int) throws(StreamrunError) {
        if !positioned { try position() }
        if bomPending, try !skipByteOrderMark() { return }
        while rows < maxRows && !finished {
            if longRecord != nil {
                guard try skipLongRecord() else { break }  // a followed file: the rest is not written yet
                continue
            }
            if recordOffset >= split.end && !firstRecordAfterBOM {
                finished = true
                break
            }
            var (window, final) = decodeWindow()
            let limited = window - lo > recordLimit
            if limited {
                window = lo + recordLimit
                final = false
            }
            let progress: DecodeProgress
            do {
                progress = try buffer.withUnsafeBufferPointer { buf throws(DecodeError) in
                    try decoder.decode(UnsafeBufferPointer(rebasing: buf[lo..<window]), atEOF: final,
                                       maxRows: maxRows - rows, into: &builder)
                }
            } catch {
                rows += error.consumed.rows
                try badRecord(error)
                continue
            }
            consume(progress)
            rows += progress.rows
            badRecords?.good(progress.rows)
            if rows >= maxRows { break }
            if final && lo >= window {
                finished = true  // the split's last record is consumed
                break
            }
            if progress.bytes == 0 && limited {
                try beginLongRecord()
                continue
            }
            if progress.bytes == 0 || lo == hi {
                if try !fill() && follow { break }  // a followed file: wait for more
            }
        }
    }

    private func consume(_ progress: DecodeProgress) {
        if progress.bytes > 0 { consumedRecords = true }
        lo += progress.bytes
        recordOffset += Int64(progress.bytes)
        if progress.bytes > 0 { firstRecordAfterBOM = false }
        linesConsumed += progress.lines
    }

    /// A record the decoder refused: its rows before it are kept, it goes to `badRecords` (or fails
    /// the job), and reading goes on after it.
    private func badRecord(_ error: DecodeError) throws(StreamrunError) {
        badRecords?.good(error.consumed.rows)
        consume(error.consumed)
        // Its extent: as the decoder saw it, else up to the next newline (or the end of the data).
        var extent = error.record ?? (hi - lo, 0)
        if error.record == nil, let nl = newline(from: lo) { extent = (nl + 1 - lo, 1) }
        var end = lo + extent.bytes
        if end > lo && buffer[end - 1] == 10 { end -= 1 }
        if end > lo && buffer[end - 1] == 13 { end -= 1 }
        let (letter, location, handler) = try deadLetter(field: error.field, rule: error.rule, message: error.message) { Array(buffer[lo..<end]) }
        try handler.bad(letter, location: location)
        consume(DecodeProgress(bytes: extent.bytes, lines: extent.lines))
    }

    /// The dead letter of the record at `lo`, its place (`file:line`) and the handler it goes to;
    /// throws the record's error (with `failHint`) instead when bad records fail the job.
    private func deadLetter(field: String? = nil, rule: DeadLetter.Rule, message: String, failHint: String = "",
                            raw: () -> [UInt8]) throws(StreamrunError) -> (DeadLetter, String, BadRecordHandler) {
        let line = lineNumber
        let location = "\(split.path):\(line)"
        guard let badRecords, badRecords.onError != .fail else {
            throw StreamrunError(.malformedRecord, message + failHint, location: location)
        }
        let letter = DeadLetter(source: badRecords.sourceID, file: badRecords.displayPath(split.path), offset: recordOffset,
                                line: Int64(line), field: field, rule: rule, message: message, raw: raw())
        return (letter, location, badRecords)
    }

    /// The record at `lo` is longer than the limit: keep its first bytes for the dead letter and start
    /// skipping the rest.
    private func beginLongRecord() throws(StreamrunError) {
        let message = "record is longer than maxRecordSize (\(Self.bytes(recordLimit)) with its line break)"
        let (letter, location, _) = try deadLetter(rule: .recordSize, message: message,
                                                   failHint: "; raise maxRecordSize or set \"onError\"") {
            Array(buffer[lo..<(lo + min(recordLimit, Self.keptBytes))])
        }
        longRecord = (letter, location, 0, 0)
    }

    /// Skips the long record through the buffer up to its newline (or the end of the file). Returns
    /// false while a followed file has not written the rest yet.
    private func skipLongRecord() throws(StreamrunError) -> Bool {
        guard var long = longRecord, let badRecords else { return true }
        while true {
            if let nl = newline(from: lo) {
                long.skipped += Int64(nl + 1 - lo)
                lo = nl + 1
                break
            }
            long.skipped += Int64(hi - lo)
            if hi > lo { long.lastByte = buffer[hi - 1] }  // a CR before a newline in the next read
            lo = hi
            longRecord = long  // a read that fails below goes on from here next time
            if try !fill() {
                if follow {
                    longRecord = long
                    return false
                }
                break  // the last record of the file
            }
        }
        // The record's bytes, its line break excluded.
        var length = long.skipped
        let endsWithNewline = lo > 0 && buffer[lo - 1] == 10
        if endsWithNewline { length -= (lo > 1 ? buffer[lo - 2] : long.lastByte) == 13 ? 2 : 1 }
        long.letter.rawLength = length
        longRecord = nil
        consumedRecords = true
        recordOffset += long.skipped
        if endsWithNewline { linesConsumed += 1 }
        firstRecordAfterBOM = false
        try badRecords.bad(long.letter, location: long.location)
        return true
    }

    /// How many bytes of a record longer than `maxRecordSize` its dead letter keeps.
    static let keptBytes = 4096

    static func bytes(_ n: Int) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) B"
    }

    /// The part of the buffer to decode now, and whether it ends the split. Only records that start
    /// before the split's end belong to it, so the window ends after the newline that ends the line
    /// holding byte `end - 1`.
    private func decodeWindow() -> (Int, Bool) {
        if split.end != .max {
            let endIndex = lo + max(Int(split.end - 1 - recordOffset), 0)
            if endIndex < hi {
                if let nl = newline(from: endIndex) { return (nl + 1, true) }
                return (hi, eof)
            }
        }
        return (hi, eof && !follow)
    }

    /// For a split that starts mid-file: skip the partial line before its first record.
    private func position() throws(StreamrunError) {
        guard split.start > 0 else {
            positioned = true
            bomPending = true
            return
        }
        // Only once positioned: a read that fails on the way starts over (and a checkpoint meanwhile
        // stores the split's start).
        do {
            try skipPartialLine()
        } catch {
            (recordOffset, readOffset, lo, hi) = (split.start, split.start, 0, 0)
            throw error
        }
        positioned = true
    }

    private func skipPartialLine() throws(StreamrunError) {
        readOffset = split.start - 1
        recordOffset = split.start - 1
        lo = 0
        hi = 0
        while true {
            if try !fill() {
                recordOffset += Int64(hi - lo)
                lo = hi
                finished = true
                return
            }
            if let nl = newline(from: lo) {
                recordOffset += Int64(nl + 1 - lo)
                lo = nl + 1
                break
            }
            recordOffset += Int64(hi - lo)
            lo = hi
            if recordOffset >= split.end {
                // The split lies inside one record (a long line): its first record would start
                // after its end, so it has none, and the rest of that line is not its to scan.
                finished = true
                return
            }
        }
        firstRecordOffset = recordOffset
        if recordOffset >= split.end { finished = true }
    }

    /// At the start of the file: skips a byte order mark. Returns false while a followed file is still
    /// too short to tell (it is checked again on the next read).
    private func skipByteOrderMark() throws(StreamrunError) -> Bool {
        let mark = Self.byteOrderMark
        while hi - lo < mark.count && mark.starts(with: buffer[lo..<hi]) {
            if try !fill() {
                if follow && hi - lo < mark.count { return false }
                break
            }
        }
        bomPending = false
        if hi - lo >= mark.count && buffer[lo..<(lo + mark.count)].elementsEqual(mark) {
            lo += mark.count
            recordOffset += Int64(mark.count)
            firstRecordAfterBOM = true
        }
        return true
    }

    /// Moves unread bytes to the front and reads more; returns false at end of file.
    private func fill() throws(StreamrunError) -> Bool {
        if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: bufferBytes) }
        if lo > 0 {
            let n = hi - lo
            if n > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    b.baseAddress!.update(from: b.baseAddress! + lo, count: n)
                }
            }
            lo = 0
            hi = n
        }
        if hi == buffer.count {  // one record longer than the buffer (but not than the limit)
            buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, max(recordLimit + 1 - buffer.count, 4096))))
        }
        let fd = try FileIO.openRead(split.path)
        defer { FileIO.close(fd) }
        let n = try FileIO.pread(fd, into: &buffer, at: hi, offset: readOffset, path: split.path)
        if n == 0 {
            eof = true
            return false
        }
        eof = false
        hi += n
        readOffset += Int64(n)
        return true
    }

    private func newline(from i: Int) -> Int? {
        guard i < hi else { return nil }
        return buffer.withUnsafeBufferPointer { b in
            memchr(b.baseAddress! + i, 10, hi - i).map { UnsafeRawPointer(b.baseAddress!).distance(to: UnsafeRawPointer($0)) }
        }
    }

    /// The 1-based line of the next record, counting from the top of the file.
    private var lineNumber: Int {
        if baseLines == nil { baseLines = linesBeforeFirstRecord() }
        return baseLines! + linesConsumed + 1
    }

    /// Newlines in the file before `firstRecordOffset` (read once, for a split resumed mid-file).
    private func linesBeforeFirstRecord() -> Int {
        var base = 0
        if firstRecordOffset > 0, let fd = try? FileIO.openRead(split.path) {
            defer { FileIO.close(fd) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            var off: Int64 = 0
            while off < firstRecordOffset {
                let want = Int(min(Int64(chunk.count), firstRecordOffset - off))
                let n = (try? FileIO.pread(fd, into: &chunk, at: 0, limit: want, offset: off, path: split.path)) ?? 0
                if n <= 0 { break }
                for i in 0..<n where chunk[i] == 10 { base += 1 }
                off += Int64(n)
            }
        }
        return base
    }
}
