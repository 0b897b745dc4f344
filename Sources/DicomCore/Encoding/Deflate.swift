import CZlib

/// Raw deflate (RFC 1951, no zlib or gzip header) for Deflated Explicit VR Little Endian, through the system zlib.
enum Deflate {
    /// Inflates `input`; bounded by `limit` output bytes so a deflate bomb fails instead of exhausting memory.
    static func inflate(_ input: ArraySlice<UInt8>, limit: Int) throws(DicomError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DicomError(.inflateFailed, "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: max(64 * 1024, min(input.count * 4, 16 << 20)))
        var input = Array(input)
        var status: Int32 = Z_OK
        let result: Result<Void, DicomError> = input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return .failure(DicomError(.inflateFailed, "inflated data exceeds \(limit) bytes")) }
                if status == Z_STREAM_END { return .success(()) }
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    // Input ended before the deflate stream did: keep what we have, the parser reports truncation.
                    return .success(())
                }
                if status != Z_OK { return .failure(DicomError(.inflateFailed, "zlib status \(status)")) }
            } while true
        }
        try result.get()
        return output
    }

    /// Deflates `input` as raw deflate at the default level.
    static func deflate(_ input: [UInt8]) throws(DicomError) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DicomError(.deflateFailed, "zlib could not start")
        }
        defer { deflateEnd(&stream) }
        var input = input
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound + 16)
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw DicomError(.deflateFailed, "zlib status \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
