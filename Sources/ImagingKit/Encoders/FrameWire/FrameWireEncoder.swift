import DicomCore

/// The viewer's frame format, `application/vnd.mi-frame` ("MIF1"): original stored values, lossless, made compact
/// for the wire by a left/up prediction and byte planes, so that HTTP's gzip shrinks a CT frame to well under half.
///
/// ```
/// offset size
/// 0      4    magic "MIF1"
/// 4      2    columns (u16 LE)
/// 6      2    rows (u16 LE)
/// 8      1    bytes per sample B (1 or 2; 4 for deeper images)
/// 9      1    samples per pixel S (1 or 3; 3 = RGB interleaved)
/// 10     1    flags: bit 0 = samples are signed (two's complement, sign-extended to B bytes);
///                    bit 1 = the payload is predicted;
///                    bit 2 = the predicted payload is packed (set only with bit 1)
/// 11     5    reserved (0)
/// 16     ...  payload
/// ```
/// Values v[i], i = 0..<rows·columns·S in raster order, colour interleaved. A predicted payload holds residuals
/// r[i] = v[i] − p[i] modulo 2^(8B), where p[i] is the same channel's left neighbour, the pixel above for the first
/// pixel of a row, and 0 for the very first pixel; split into B byte planes (all low bytes, then the next...).
/// Unpredicted payloads hold the values, little endian. The rescale to modality values comes with the metadata.
///
/// A packed payload (flags bit 2, with bit 1) holds the same residuals, read as 8B-bit two's complement and
/// zigzag-mapped to unsigned (z = 2r for r ≥ 0, −2r − 1 for r < 0: 0, −1, 1, −2 … become 0, 1, 2, 3 …), in blocks of
/// 16 consecutive values in raster order (the last block holds the rest, n mod 16 when that is not 0). A block is
/// one byte w, the bit width of its largest z (0...8B), then its values in w bits each, least significant bit
/// first (value j occupies bits j·w ..< (j+1)·w of the block's bytes, bit k of byte m being bit 8m + k), padded
/// with zero bits to a whole byte: 1 + ⌈count·w / 8⌉ bytes. w = 0 means all zeros, so a flat region costs one byte
/// per 16 values. The payload ends with the last block. Packing is what a client gets when it asks for it
/// (`Accept: application/vnd.mi-frame; packing=1`): a CT slice of 512 KB becomes about 100–200 KB before gzip,
/// which is what a browser's network service copies to the page after inflating.
public enum FrameWireEncoder {
    /// The header's magic.
    public static let magic: [UInt8] = Array("MIF1".utf8)
    /// The media type.
    public static let mediaType = "application/vnd.mi-frame"

    /// The flag of a packed payload.
    public static let packedFlag: UInt8 = 4
    /// Values per packed block.
    public static let blockLength = 16

    /// Encodes a decoded frame. Samples narrower than their allocation are masked (unsigned) or sign-extended
    /// (signed) from Bits Stored, so that the client sees exact stored values. `packed` (which needs `predicted`)
    /// packs the residuals in bit-width blocks; without it the bytes are the planar format, as before packing existed.
    public static func encode(_ frame: DecodedFrame, predicted: Bool = true, packed: Bool = false) throws(ImagingError) -> [UInt8] {
        guard predicted || !packed else { throw ImagingError(.unsupportedImage, "a packed MIF1 payload is always predicted") }
        let planar = try encodePlanar(frame, predicted: predicted)
        return packed ? pack(planar) : planar
    }

    /// The planar (unpacked) encoding.
    private static func encodePlanar(_ frame: DecodedFrame, predicted: Bool) throws(ImagingError) -> [UInt8] {
        let d = frame.descriptor
        guard d.columns <= 0xFFFF, d.rows <= 0xFFFF, d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
            throw ImagingError(.unsupportedImage, "frame of \(d.columns)x\(d.rows)x\(d.samplesPerPixel) does not fit the wire format")
        }
        let b = d.bytesPerSample, s = d.samplesPerPixel, n = d.pixelCount * s
        guard b == 1 || b == 2 || b == 4 else { throw ImagingError(.unsupportedImage, "\(d.bitsAllocated)-bit samples") }
        guard frame.bytes.count >= n * b else { throw ImagingError(.decodeFrame, "frame too short") }
        var out = [UInt8](repeating: 0, count: 16 + n * b)
        out[0] = magic[0]; out[1] = magic[1]; out[2] = magic[2]; out[3] = magic[3]
        out[4] = UInt8(d.columns & 0xFF); out[5] = UInt8(d.columns >> 8)
        out[6] = UInt8(d.rows & 0xFF); out[7] = UInt8(d.rows >> 8)
        out[8] = UInt8(b); out[9] = UInt8(s)
        out[10] = (d.isSigned ? 1 : 0) | (predicted ? 2 : 0)
        let stride = d.columns * s
        let bits = min(d.bitsStored, b * 8)
        frame.bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let payload = dst.baseAddress! + 16
                switch b {
                case 1:
                    let mask = UInt8(truncatingIfNeeded: (1 << bits) - 1), shift = UInt8(8 - bits)
                    @inline(__always) func value(_ i: Int) -> UInt8 {
                        d.isSigned ? UInt8(bitPattern: Int8(bitPattern: src[i] &<< shift) >> Int8(shift)) : src[i] & mask
                    }
                    for i in 0..<n {
                        let v = value(i)
                        guard predicted else { payload[i] = v; continue }
                        let p: UInt8 = i % stride >= s ? value(i - s) : (i >= stride ? value(i - stride) : 0)
                        payload[i] = v &- p
                    }
                case 2:
                    let words = UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: UInt16.self)
                    let mask = UInt16(truncatingIfNeeded: (1 << bits) - 1), shift = UInt16(16 - bits)
                    let signed = d.isSigned
                    @inline(__always) func value(_ i: Int) -> UInt16 {
                        let raw = UInt16(littleEndian: words[i])
                        return signed ? UInt16(bitPattern: Int16(bitPattern: raw &<< shift) &>> Int16(shift)) : raw & mask
                    }
                    let high = payload + n
                    if !predicted {
                        for i in 0..<n { let v = value(i); payload[2 * i] = UInt8(v & 0xFF); payload[2 * i + 1] = UInt8(v >> 8) }
                        return
                    }
                    // First row: left prediction (the first pixel from 0).
                    for i in 0..<min(stride, n) {
                        let r = value(i) &- (i >= s ? value(i - s) : 0)
                        payload[i] = UInt8(truncatingIfNeeded: r); high[i] = UInt8(r >> 8)
                    }
                    var row = stride
                    while row < n {
                        for c in 0..<s {   // first pixel of the row: from above
                            let r = value(row + c) &- value(row + c - stride)
                            payload[row + c] = UInt8(truncatingIfNeeded: r); high[row + c] = UInt8(r >> 8)
                        }
                        var i = row + s
                        let end = row + stride
                        while i < end {
                            let r = value(i) &- value(i - s)
                            payload[i] = UInt8(truncatingIfNeeded: r); high[i] = UInt8(r >> 8)
                            i += 1
                        }
                        row += stride
                    }
                default:
                    let words = UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: UInt32.self)
                    for i in 0..<n {
                        let v = UInt32(littleEndian: words[i])
                        let p: UInt32 = !predicted ? 0 : (i % stride >= s ? UInt32(littleEndian: words[i - s]) : (i >= stride ? UInt32(littleEndian: words[i - stride]) : 0))
                        let r = v &- p
                        if predicted {
                            for k in 0..<4 { payload[k * n + i] = UInt8(truncatingIfNeeded: r >> (8 * k)) }
                        } else {
                            for k in 0..<4 { payload[4 * i + k] = UInt8(truncatingIfNeeded: r >> (8 * k)) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Packs a predicted planar encoding (header and byte planes, as `encodePlanar` makes it): same header with the
    /// packed flag, then the residuals zigzag-mapped in blocks of `blockLength`.
    private static func pack(_ planar: [UInt8]) -> [UInt8] {
        let b = Int(planar[8]), n = (planar.count - 16) / b
        let bits = 8 * b
        let mask: UInt32 = b == 4 ? .max : (UInt32(1) << bits) - 1
        let signBit: UInt32 = 1 << (bits - 1)
        let blocks = (n + blockLength - 1) / blockLength
        var out = [UInt8](repeating: 0, count: 16 + blocks + n * b)   // the most a block can take: 1 + 16·B bytes
        var length = 16
        planar.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<16 { dst[i] = src[i] }
                dst[10] |= packedFlag
                let planes = src.baseAddress! + 16
                var z = [UInt32](repeating: 0, count: blockLength)
                var start = 0
                while start < n {
                    let count = min(blockLength, n - start)
                    var any: UInt32 = 0
                    for j in 0..<count {
                        let i = start + j
                        var r = UInt32(planes[i])
                        if b > 1 { for k in 1..<b { r |= UInt32(planes[k * n + i]) << (8 * k) } }
                        // Zigzag in B bytes: the sign goes to bit 0, the magnitude up one place.
                        let v = ((r &<< 1) ^ (r & signBit != 0 ? mask : 0)) & mask
                        z[j] = v
                        any |= v
                    }
                    let w = any == 0 ? 0 : 32 - any.leadingZeroBitCount
                    dst[length] = UInt8(w)
                    length += 1
                    if w > 0 {
                        var accumulator: UInt64 = 0, held = 0
                        for j in 0..<count {
                            accumulator |= UInt64(z[j]) << held
                            held += w
                            while held >= 8 {
                                dst[length] = UInt8(truncatingIfNeeded: accumulator)
                                length += 1
                                accumulator >>= 8
                                held -= 8
                            }
                        }
                        if held > 0 { dst[length] = UInt8(truncatingIfNeeded: accumulator); length += 1 }
                    }
                    start += count
                }
            }
        }
        out.removeLast(out.count - length)
        return out
    }

    /// Decodes the format back into little-endian samples (tests, and integrators who want to check a frame).
    public static func decode(_ bytes: [UInt8]) throws(ImagingError) -> (columns: Int, rows: Int, bytesPerSample: Int, samplesPerPixel: Int, signed: Bool, samples: [UInt8]) {
        guard bytes.count >= 16, Array(bytes[0..<4]) == magic else { throw ImagingError(.decodeFrame, "not a MIF1 frame") }
        let columns = Int(bytes[4]) | Int(bytes[5]) << 8, rows = Int(bytes[6]) | Int(bytes[7]) << 8
        let b = Int(bytes[8]), s = Int(bytes[9]), flags = bytes[10]
        guard b == 1 || b == 2 || b == 4, s == 1 || s == 3 else { throw ImagingError(.decodeFrame, "bad MIF1 header") }
        let n = columns * rows * s
        guard flags & ~(packedFlag | 3) == 0, flags & packedFlag == 0 || flags & 2 != 0 else { throw ImagingError(.decodeFrame, "bad MIF1 flags \(flags)") }
        let bytes = flags & packedFlag != 0 ? try unpack(bytes, count: n, bytesPerSample: b) : bytes
        guard bytes.count == 16 + n * b else { throw ImagingError(.decodeFrame, "MIF1 payload has \(bytes.count - 16) bytes, expected \(n * b)") }
        var samples = [UInt8](repeating: 0, count: n * b)
        let predicted = flags & 2 != 0
        let stride = columns * s
        var values = [UInt32](repeating: 0, count: n)
        for i in 0..<n {
            var r: UInt32 = 0
            for k in 0..<b { r |= UInt32(predicted ? bytes[16 + k * n + i] : bytes[16 + b * i + k]) << (8 * k) }
            let p: UInt32 = !predicted ? 0 : (i % stride >= s ? values[i - s] : (i >= stride ? values[i - stride] : 0))
            let v = (r &+ p) & (b == 4 ? UInt32.max : (UInt32(1) << (8 * b)) - 1)
            values[i] = v
            for k in 0..<b { samples[b * i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
        }
        return (columns, rows, b, s, flags & 1 != 0, samples)
    }

    /// A packed frame as the planar one (header kept, byte planes of the residuals), for `decode`.
    private static func unpack(_ bytes: [UInt8], count n: Int, bytesPerSample b: Int) throws(ImagingError) -> [UInt8] {
        // Every block takes at least its width byte: a header that claims more values than that is refused before
        // anything the size of the frame is allocated.
        guard bytes.count - 16 >= (n + blockLength - 1) / blockLength else {
            throw ImagingError(.decodeFrame, "packed MIF1 payload of \(bytes.count - 16) bytes cannot hold \(n) values")
        }
        var out = Array(bytes[0..<16]) + [UInt8](repeating: 0, count: n * b)
        let bits = 8 * b
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        var at = 16, i = 0
        while i < n {
            guard at < bytes.count else { throw ImagingError(.decodeFrame, "packed MIF1 payload cut short at value \(i)") }
            let w = Int(bytes[at]), count = min(blockLength, n - i)
            at += 1
            guard w <= bits else { throw ImagingError(.decodeFrame, "packed block of width \(w) in a \(bits)-bit frame") }
            let length = (count * w + 7) / 8
            guard bytes.count - at >= length else { throw ImagingError(.decodeFrame, "packed MIF1 block cut short at value \(i)") }
            var accumulator: UInt64 = 0, held = 0
            for _ in 0..<count {
                while held < w { accumulator |= UInt64(bytes[at]) << UInt64(held); at += 1; held += 8 }
                let z = accumulator & ((1 << UInt64(w)) - 1)
                accumulator >>= UInt64(w); held -= w
                let r = ((z >> 1) ^ (z & 1 == 0 ? 0 : mask)) & mask
                for k in 0..<b { out[16 + k * n + i] = UInt8(truncatingIfNeeded: r >> UInt64(8 * k)) }
                i += 1
            }
        }
        guard at == bytes.count else { throw ImagingError(.decodeFrame, "\(bytes.count - at) bytes after the packed MIF1 payload") }
        return out
    }
}
