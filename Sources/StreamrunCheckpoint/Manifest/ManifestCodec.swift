import Foundation
import StreamrunCore

/// Reads and writes `_manifest.json`: sorted-key JSON closed by a CRC-32C of its own bytes.
///
/// The file is the manifest encoded as pretty-printed JSON with sorted keys, with one more member
/// appended as the last line before the closing brace:
///
/// ```
/// {
///   "checkpointId" : 17,
///   ...
///   "watermarks" : { ... },
///   "checksum" : "1c2d3e4f"
/// }
/// ```
///
/// `checksum` is the CRC-32C (8 lowercase hex digits) of every byte of the file before the
/// `,\n  "checksum" : "` that introduces it. The file stays valid JSON (`jq` reads it), and a
/// change to any byte is detected. Decoding checks the checksum first, then dispatches on
/// `formatVersion`: each version keeps its own decoder.
public enum ManifestCodec {
    /// Every manifest version ``decode(_:)`` reads.
    public static let supportedVersions: ClosedRange<Int> = 1...1

    /// What introduces the checksum member; the CRC covers every byte before it.
    static let trailerStart: [UInt8] = Array(",\n  \"checksum\" : \"".utf8)
    static let trailerEnd: [UInt8] = Array("\"\n}\n".utf8)

    /// The file's bytes. Deterministic: the same manifest always gives the same bytes.
    public static func encode(_ manifest: CheckpointManifest) throws(StreamrunError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var body: [UInt8]
        do {
            body = Array(try encoder.encode(manifest))
        } catch {
            throw StreamrunError(.internalError, "cannot encode the checkpoint manifest: \(error)", retry: .internal)
        }
        // Drop the closing brace (and the whitespace around it) to append the checksum member.
        while let last = body.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { body.removeLast() }
        guard body.last == UInt8(ascii: "}") else {
            throw StreamrunError(.internalError, "the manifest did not encode as a JSON object", retry: .internal)
        }
        body.removeLast()
        while let last = body.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 { body.removeLast() }
        let crc = CRC32C.checksum(body)
        return body + trailerStart + Array(CRC32C.hex(crc).utf8) + trailerEnd
    }

    /// The manifest in `bytes`.
    ///
    /// - Important: Throws ``StreamrunError/Code/checkpointCorrupt`` if the checksum is missing or
    ///   wrong or the JSON does not match the format, and
    ///   ``StreamrunError/Code/checkpointUnsupportedVersion`` for a version this build cannot read.
    public static func decode(_ bytes: [UInt8]) throws(StreamrunError) -> CheckpointManifest {
        try checkChecksum(bytes)

        struct VersionProbe: Decodable { var formatVersion: Int }
        let data = Data(bytes)
        let version: Int
        do {
            version = try JSONDecoder().decode(VersionProbe.self, from: data).formatVersion
        } catch {
            throw .corrupt("manifest has no formatVersion: \(describe(error))")
        }
        let manifest: CheckpointManifest
        switch version {
        case 1:
            manifest = try decodeV1(data)
        default:
            throw StreamrunError(.checkpointUnsupportedVersion,
                                 "manifest format version \(version) is not supported (this streamrun reads versions \(supportedVersions.lowerBound)...\(supportedVersions.upperBound)); it was written by a newer streamrun")
        }
        if let p = problem(manifest) { throw .corrupt("manifest is inconsistent: \(p)") }
        return manifest
    }

    /// Throws ``StreamrunError/Code/checkpointCorrupt`` unless `bytes` end with a checksum line
    /// that matches the rest. Cheap (no JSON parsing): retention uses it to tell a published
    /// manifest from a damaged one.
    public static func checkChecksum(_ bytes: [UInt8]) throws(StreamrunError) {
        let hexCount = 8
        let minimum = trailerStart.count + hexCount + trailerEnd.count
        guard bytes.count > minimum, bytes.suffix(trailerEnd.count).elementsEqual(trailerEnd) else {
            throw .corrupt("manifest is truncated or has no checksum line at its end")
        }
        let hexStart = bytes.count - trailerEnd.count - hexCount
        let bodyEnd = hexStart - trailerStart.count
        guard bytes[bodyEnd..<hexStart].elementsEqual(trailerStart),
              let hex = String(validating: bytes[hexStart..<hexStart + hexCount], as: UTF8.self),
              hex.allSatisfy({ $0.isHexDigit }), let stored = UInt32(hex, radix: 16) else {
            throw .corrupt("manifest is truncated or has no checksum line at its end")
        }
        let actual = CRC32C.checksum(bytes[0..<bodyEnd])
        guard actual == stored else {
            throw .corrupt("manifest checksum mismatch: stored \(CRC32C.hex(stored)), content has \(CRC32C.hex(actual))")
        }
    }

    /// Version 1: ``CheckpointManifest``'s Codable shape. Never change it; add `decodeV2` instead.
    /// (Optional members such as `jobText` may be added: a manifest without them still decodes, and
    /// older readers ignore them.)
    static func decodeV1(_ data: Data) throws(StreamrunError) -> CheckpointManifest {
        do {
            return try JSONDecoder().decode(CheckpointManifest.self, from: data)
        } catch {
            throw .corrupt("manifest does not match format version 1: \(describe(error))")
        }
    }

    /// Why `m` cannot be written or was decoded inconsistent, or `nil`.
    static func problem(_ m: CheckpointManifest) -> String? {
        if m.checkpointID < 0 { return "negative checkpoint id \(m.checkpointID)" }
        var seen = Set<String>()
        for f in m.stateFiles {
            if f.path.isEmpty || f.path.contains("/") || f.path.hasPrefix(".") {
                return "state file path \"\(f.path)\" is not a plain file name in the checkpoint directory"
            }
            if !seen.insert(f.path).inserted { return "state file \(f.path) is listed twice" }
            if f.size < 0 { return "state file \(f.path) has a negative size" }
        }
        return nil
    }

    /// A short description of a decoding error: what was wrong and at which key path.
    static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "" : " at \(p.hasPrefix(".") ? String(p.dropFirst()) : p)"
        }
        switch e {
        case .keyNotFound(let k, let c): return "missing key \"\(k.stringValue)\"\(path(c))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return c.debugDescription + path(c)
        @unknown default: return "\(e)"
        }
    }
}
