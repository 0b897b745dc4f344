import CZlib

/// gzip (RFC 1952) through the system zlib: what HTTP's `Content-Encoding: gzip` carries.
public enum Gzip {
    /// Compresses `bytes` into a gzip member. Level 1 is the fast default for per-request encoding.
    public static func compress(_ bytes: [UInt8], level: Int32 = 1) throws(ImagingError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's default.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImagingError(.encode, "zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ImagingError(.encode, "zlib deflate returned \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
