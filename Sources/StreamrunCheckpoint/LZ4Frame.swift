import CLZ4
import StreamrunCore

/// LZ4 frame compression (the format the `lz4` command line tool reads and writes), used for every
/// checkpoint file so users can open one with standard tools: `lz4 -d state.lz4`.
public enum LZ4Frame {
    /// Compresses `bytes` into one complete LZ4 frame with a content checksum.
    public static func compress(_ bytes: [UInt8]) throws(StreamrunError) -> [UInt8] {
        try bytes.withUnsafeBufferPointer { (b) throws(StreamrunError) -> [UInt8] in try compress(b) }
    }

    /// Compresses the bytes at `bytes` into one complete LZ4 frame with a content checksum.
    public static func compress(_ bytes: UnsafeBufferPointer<UInt8>) throws(StreamrunError) -> [UInt8] {
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        prefs.frameInfo.contentSize = UInt64(bytes.count)
        let bound = LZ4F_compressFrameBound(bytes.count, &prefs)
        // Uninitialized: zeroing the bound (larger than the input) would cost more than compressing.
        var n = 0
        let out = [UInt8](unsafeUninitializedCapacity: bound) { dst, initialized in
            n = LZ4F_compressFrame(dst.baseAddress, dst.count, bytes.baseAddress, bytes.count, &prefs)
            initialized = LZ4F_isError(n) != 0 ? 0 : n
        }
        if LZ4F_isError(n) != 0 {
            throw StreamrunError(.internalError, "LZ4 compression failed: \(String(cString: LZ4F_getErrorName(n)))", retry: .internal)
        }
        return out
    }

    /// Decompresses one or more concatenated LZ4 frames; fails on corruption or a bad checksum.
    public static func decompress(_ frame: [UInt8]) throws(StreamrunError) -> [UInt8] {
        var ctx: OpaquePointer?
        guard LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION)) == 0, let ctx else {
            throw StreamrunError(.internalError, "LZ4: cannot create a decompression context", retry: .internal)
        }
        defer { LZ4F_freeDecompressionContext(ctx) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset = 0
        var hint = 1
        while offset < frame.count && hint != 0 {
            var srcSize = frame.count - offset
            var dstSize = chunk.count
            hint = frame.withUnsafeBytes { src in
                chunk.withUnsafeMutableBytes { dst in
                    LZ4F_decompress(ctx, dst.baseAddress, &dstSize, src.baseAddress! + offset, &srcSize, nil)
                }
            }
            if LZ4F_isError(hint) != 0 {
                throw StreamrunError(.readFailed, "corrupt LZ4 frame: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            out.append(contentsOf: chunk[0..<dstSize])
            offset += srcSize
        }
        if hint != 0 { throw StreamrunError(.readFailed, "truncated LZ4 frame") }
        return out
    }
}
