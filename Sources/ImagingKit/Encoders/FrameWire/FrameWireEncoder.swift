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
    /// (signed) from Bits Stored, so that the client sees exact stored values (4-byte samples go as they are).
    /// `packed` (which needs `predicted`) packs the residuals in bit-width blocks; without it the bytes are the
    /// planar format, as before packing existed.
    ///
    /// One pass over the samples, a chunk at a time: values, residuals (and zigzag) into a small buffer on the
    /// stack, then byte planes or packed blocks straight into the output; no frame-sized intermediate.
    public static func encode(_ frame: DecodedFrame, predicted: Bool = true, packed: Bool = false) throws(ImagingError) -> [UInt8] {
        guard predicted || !packed else { throw ImagingError(.unsupportedImage, "a packed MIF1 payload is always predicted") }
        let layout = try Layout(frame.descriptor)
        guard frame.bytes.count >= layout.count * layout.bytesPerSample else { throw ImagingError(.decodeFrame, "frame too short") }
        let mode: Mode = packed ? .packed : (predicted ? .planes : .values)
        return frame.bytes.withUnsafeBytes { raw in
            switch layout.bytesPerSample {
            case 1: encode(raw, as: UInt8.self, layout, mode)
            case 2: encode(raw, as: UInt16.self, layout, mode)
            default: encode(raw, as: UInt32.self, layout, mode)
            }
        }
    }

    /// What the payload holds.
    private enum Mode { case values, planes, packed }

    /// The frame's shape as the encoder needs it, checked against what the header can say.
    private struct Layout {
        let columns: Int, rows: Int, samplesPerPixel: Int, bytesPerSample: Int, signed: Bool
        /// Values in raster order (rows·columns·S), and values per row (columns·S).
        let count: Int, rowLength: Int
        /// Bits Stored where it narrows the samples (1 ..< 8B), else 8B: masked or sign-extended from there.
        let bits: Int

        init(_ d: ImageDescriptor) throws(ImagingError) {
            guard (0...0xFFFF).contains(d.columns), (0...0xFFFF).contains(d.rows), d.samplesPerPixel == 1 || d.samplesPerPixel == 3 else {
                throw ImagingError(.unsupportedImage, "frame of \(d.columns)x\(d.rows)x\(d.samplesPerPixel) does not fit the wire format")
            }
            let b = d.bytesPerSample
            guard b == 1 || b == 2 || b == 4 else { throw ImagingError(.unsupportedImage, "\(d.bitsAllocated)-bit samples") }
            (columns, rows, samplesPerPixel, bytesPerSample, signed) = (d.columns, d.rows, d.samplesPerPixel, b, d.isSigned)
            (count, rowLength) = (d.columns * d.rows * d.samplesPerPixel, d.columns * d.samplesPerPixel)
            bits = b < 4 && (1..<8 * b).contains(d.bitsStored) ? d.bitsStored : 8 * b
        }

        /// The 16 header bytes.
        func header(_ mode: Mode) -> [UInt8] {
            let flags: UInt8 = (signed ? 1 : 0) | (mode == .values ? 0 : 2) | (mode == .packed ? packedFlag : 0)
            return magic + [UInt8(columns & 0xFF), UInt8(columns >> 8), UInt8(rows & 0xFF), UInt8(rows >> 8),
                            UInt8(bytesPerSample), UInt8(samplesPerPixel), flags, 0, 0, 0, 0, 0]
        }
    }

    /// Values per chunk: a multiple of `blockLength`, small enough for the chunk's residuals to stay in L1.
    private static let chunkLength = 2048

    /// The whole encoding for samples of type `T` (UInt8, UInt16 or UInt32, little endian in `raw`).
    private static func encode<T: FixedWidthInteger & UnsignedInteger>(_ raw: UnsafeRawBufferPointer, as _: T.Type, _ layout: Layout, _ mode: Mode) -> [UInt8] {
        let n = layout.count, b = layout.bytesPerSample
        // Packed: each block takes at most 1 + 16·B bytes, and the block writers store up to 16 bytes past the end.
        let capacity = mode == .packed ? 16 + (n + blockLength - 1) / blockLength + n * b + 16 : 16 + n * b
        let header = layout.header(mode)
        return [UInt8](unsafeUninitializedCapacity: capacity) { out, length in
            _ = out.initialize(from: header)
            length = 16
            guard n > 0, let base = out.baseAddress else { return }
            let source = raw.baseAddress!.assumingMemoryBound(to: T.self)
            let mask: T = T.max &>> (T.bitWidth - layout.bits)
            let signBit: T = layout.signed && layout.bits < T.bitWidth ? T(1) &<< (layout.bits - 1) : 0
            withUnsafeTemporaryAllocation(of: T.self, capacity: chunkLength) { chunk in
                let r = chunk.baseAddress!
                var start = 0
                while start < n {
                    let count = min(chunkLength, n - start)
                    let range = start..<start + count
                    if mode == .values {
                        values(source, mask: mask, signBit: signBit, range: range, into: r)
                    } else {
                        residuals(source, mask: mask, signBit: signBit, layout, range: range, into: r)
                    }
                    switch mode {
                    case .values:
                        let payload = UnsafeMutableRawPointer(base + 16 + start * b)
                        for j in 0..<count { payload.storeBytes(of: r[j].littleEndian, toByteOffset: j * b, as: T.self) }
                        length += count * b
                    case .planes:
                        for k in 0..<b {
                            let plane = base + 16 + k * n + start
                            for j in 0..<count { plane[j] = UInt8(truncatingIfNeeded: r[j] &>> (8 * k)) }
                        }
                        length += count * b
                    case .packed:
                        length = pack(r, count: count, into: base, at: length)
                    }
                    start += count
                }
            }
        }
    }

    /// The stored value of each sample of `range` into `r`: masked to Bits Stored, or sign-extended from it when
    /// `signBit` is its top bit (`(v ^ s) − s` does both in unsigned arithmetic, so the loop vectorises; `residuals`
    /// spells the same out).
    @inline(__always)
    private static func values<T: FixedWidthInteger & UnsignedInteger>(_ source: UnsafePointer<T>, mask: T, signBit: T, range: Range<Int>, into r: UnsafeMutablePointer<T>) {
        let from = source + range.lowerBound
        for j in 0..<range.count { r[j] = ((T(littleEndian: from[j]) & mask) ^ signBit) &- signBit }
    }

    /// The residuals of `range` into `r`, modulo 2^(8B): each value less the same channel's left neighbour inside a
    /// row, the pixel above for a row's first pixel, 0 for the very first pixel. Straight from the samples, so that
    /// the main loop has no dependency from one value to the next and vectorises.
    @inline(__always)
    private static func residuals<T: FixedWidthInteger & UnsignedInteger>(_ source: UnsafePointer<T>, mask: T, signBit: T, _ layout: Layout,
                                                                         range: Range<Int>, into r: UnsafeMutablePointer<T>) {
        @inline(__always) func value(_ i: Int) -> T { ((T(littleEndian: source[i]) & mask) ^ signBit) &- signBit }
        let s = layout.samplesPerPixel, stride = layout.rowLength, a = range.lowerBound
        let first = min(max(s - a, 0), range.count)   // the very first pixel's values: from 0
        for j in 0..<first { r[j] = value(a + j) }
        // Two pointers rather than `j - s`, whose overflow check kept the loop scalar (65% of a CT frame's time).
        let current = source + a + first, left = current - s, out = r + first
        for j in 0..<range.count - first {
            out[j] = (((T(littleEndian: current[j]) & mask) ^ signBit) &- signBit) &- (((T(littleEndian: left[j]) & mask) ^ signBit) &- signBit)
        }
        // The first pixel of each row after the first: from above, not from the previous row's end.
        var row = max(stride, (a / stride) * stride)
        while row < range.upperBound {
            for i in row..<row + s where range.contains(i) { r[i - a] = value(i) &- value(i - stride) }
            row += stride
        }
    }

    /// Zigzag-maps `count` residuals of `r` and writes their blocks at `base + at`; returns where the payload ends.
    /// A full block of width w ≤ 16 is exactly 2w bytes: two halves of 8 values, each w bytes, assembled in one or
    /// two 64-bit words and stored whole (the bytes past w are overwritten by what follows).
    @inline(__always)
    private static func pack<T: FixedWidthInteger & UnsignedInteger>(_ r: UnsafeMutablePointer<T>, count: Int, into base: UnsafeMutablePointer<UInt8>, at: Int) -> Int {
        // Zigzag in B bytes: the sign goes to bit 0, the magnitude up one place.
        for j in 0..<count { r[j] = (r[j] &<< 1) ^ (0 &- (r[j] &>> (T.bitWidth - 1))) }
        var p = at
        var start = 0
        while start < count {
            let z = r + start, length = min(blockLength, count - start)
            // The width of the OR is the width of the largest value.
            var any: T = 0
            for j in 0..<length { any |= z[j] }
            let w = T.bitWidth - any.leadingZeroBitCount
            base[p] = UInt8(w)
            p += 1
            if length == blockLength && w <= 8 {
                for half in 0..<2 {
                    var word: UInt64 = 0
                    for j in 0..<8 { word |= UInt64(truncatingIfNeeded: z[8 * half + j]) &<< (j * w) }
                    UnsafeMutableRawPointer(base + p).storeBytes(of: word.littleEndian, as: UInt64.self)
                    p += w
                }
            } else if length == blockLength && w <= 16 {
                // 8 values of 9…16 bits: two words of 4 values (4w bits each), the second shifted in after the first.
                let split = 4 * w
                for half in 0..<2 {
                    var low: UInt64 = 0, high: UInt64 = 0
                    for j in 0..<4 {
                        low |= UInt64(truncatingIfNeeded: z[8 * half + j]) &<< (j * w)
                        high |= UInt64(truncatingIfNeeded: z[8 * half + 4 + j]) &<< (j * w)
                    }
                    let first = split == 64 ? low : low | high &<< split
                    let second = split == 64 ? high : high &>> (64 - split)
                    let at = UnsafeMutableRawPointer(base + p)
                    at.storeBytes(of: first.littleEndian, as: UInt64.self)
                    at.storeBytes(of: second.littleEndian, toByteOffset: 8, as: UInt64.self)
                    p += w
                }
            } else if w > 0 {
                // The frame's last, short block, or a wider one (4-byte samples): bit by bit through an accumulator.
                var accumulator: UInt64 = 0, held = 0
                for j in 0..<length {
                    accumulator |= UInt64(truncatingIfNeeded: z[j]) &<< held
                    held += w
                    while held >= 8 {
                        base[p] = UInt8(truncatingIfNeeded: accumulator)
                        p += 1
                        accumulator >>= 8
                        held -= 8
                    }
                }
                if held > 0 { base[p] = UInt8(truncatingIfNeeded: accumulator); p += 1 }
            }
            start += length
        }
        return p
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
