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

extension Gzip {
    /// A run of bytes compressed on its own so that several can be joined into one gzip member without compressing
    /// again (as pigz does): raw deflate ending in a full flush (byte-aligned, no final block, no back references
    /// across pieces), with the CRC-32 and length of its input for the member's trailer.
    public struct Piece: Sendable, Hashable {
        /// Raw deflate blocks, not final, ending byte-aligned.
        public var deflated: [UInt8]
        /// CRC-32 of the uncompressed bytes.
        public var crc: UInt32
        /// Number of uncompressed bytes.
        public var count: Int

        /// Compresses `bytes` into a piece.
        public init(_ bytes: [UInt8], level: Int32 = 1) throws(ImagingError) {
            var stream = z_stream()
            // Negative windowBits: raw deflate, no header or trailer of its own.
            guard deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ImagingError(.encode, "zlib deflateInit2 failed")
            }
            defer { deflateEnd(&stream) }
            // deflateBound covers Z_FINISH; a full flush adds an empty stored block (5 bytes) at most.
            var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 16)
            let status = bytes.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                    stream.avail_in = uInt(input.count)
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return deflate(&stream, Z_FULL_FLUSH)
                }
            }
            guard status == Z_OK, stream.avail_in == 0, stream.avail_out > 0 else {
                throw ImagingError(.encode, "zlib deflate returned \(status)")
            }
            output.removeSubrange(Int(stream.total_out)...)
            deflated = output
            crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            count = bytes.count
        }

        /// A piece holding `bytes` uncompressed (one stored block): for a few bytes, such as a length prefix, where
        /// compressing costs more than it saves. At most 65,535 bytes.
        public init(stored bytes: [UInt8]) throws(ImagingError) {
            guard bytes.count <= 0xFFFF else { throw ImagingError(.encode, "a stored block holds at most 65535 bytes") }
            let n = UInt16(bytes.count)
            // BFINAL 0, BTYPE 00, padded to the byte boundary; then LEN and its one's complement (RFC 1951 §3.2.4).
            deflated = [0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + bytes
            crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            count = bytes.count
        }
    }

    /// One gzip member (RFC 1952) whose uncompressed content is the pieces' inputs one after another.
    public static func join(_ pieces: [Piece]) -> [UInt8] {
        var member = Member()
        var out = Member.header
        out.reserveCapacity(out.count + pieces.reduce(0) { $0 + $1.deflated.count } + 10)
        for piece in pieces { out.append(contentsOf: member.append(piece)) }
        out.append(contentsOf: member.trailer)
        return out
    }

    /// One gzip member written as its pieces become ready (a streamed HTTP body): `header`, then what `append` gives
    /// for each piece, then `trailer`. Ended after any piece, it is a whole member holding the pieces so far.
    ///
    /// ```swift
    /// var member = Gzip.Member()
    /// send(Gzip.Member.header)
    /// for piece in pieces { send(member.append(piece)) }
    /// send(member.trailer)
    /// ```
    public struct Member: Sendable {
        /// The member's header: no flags, no modification time, unknown OS.
        public static let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        private var crc: uLong = 0
        private var total = 0

        /// An empty member.
        public init() {}

        /// The bytes that carry `piece`, to send next; the trailer's CRC-32 and length take it in.
        public mutating func append(_ piece: Piece) -> [UInt8] {
            crc = crc32_combine(crc, uLong(piece.crc), .init(piece.count))
            total += piece.count
            return piece.deflated
        }

        /// The end of the member: an empty final block, then the CRC-32 and length (mod 2^32) of everything appended.
        public var trailer: [UInt8] {
            var out: [UInt8] = [0x03, 0x00] // an empty final fixed-Huffman block ends the deflate stream
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: UInt32(crc) >> UInt32(shift))) }
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: total) >> UInt32(shift))) }
            return out
        }
    }
}
