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
///                    bit 1 = the payload is predicted
/// 11     5    reserved (0)
/// 16     ...  payload
/// ```
/// Values v[i], i = 0..<rows·columns·S in raster order, colour interleaved. A predicted payload holds residuals
/// r[i] = v[i] − p[i] modulo 2^(8B), where p[i] is the same channel's left neighbour, the pixel above for the first
/// pixel of a row, and 0 for the very first pixel; split into B byte planes (all low bytes, then the next...).
/// Unpredicted payloads hold the values, little endian. The rescale to modality values comes with the metadata.
public enum FrameWireEncoder {
    /// The header's magic.
    public static let magic: [UInt8] = Array("MIF1".utf8)
    /// The media type.
    public static let mediaType = "application/vnd.mi-frame"

    /// Encodes a decoded frame. Samples narrower than their allocation are masked (unsigned) or sign-extended
    /// (signed) from Bits Stored, so that the client sees exact stored values.
    public static func encode(_ frame: DecodedFrame, predicted: Bool = true) throws(ImagingError) -> [UInt8] {
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

    /// Decodes the format back into little-endian samples (tests, and integrators who want to check a frame).
    public static func decode(_ bytes: [UInt8]) throws(ImagingError) -> (columns: Int, rows: Int, bytesPerSample: Int, samplesPerPixel: Int, signed: Bool, samples: [UInt8]) {
        guard bytes.count >= 16, Array(bytes[0..<4]) == magic else { throw ImagingError(.decodeFrame, "not a MIF1 frame") }
        let columns = Int(bytes[4]) | Int(bytes[5]) << 8, rows = Int(bytes[6]) | Int(bytes[7]) << 8
        let b = Int(bytes[8]), s = Int(bytes[9]), flags = bytes[10]
        guard b == 1 || b == 2 || b == 4, s == 1 || s == 3 else { throw ImagingError(.decodeFrame, "bad MIF1 header") }
        let n = columns * rows * s
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
}
