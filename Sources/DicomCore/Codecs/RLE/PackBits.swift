/// The byte-oriented run-length scheme of RLE segments, Apple's PackBits (PS3.5 §G.3): a header byte `n` is followed
/// by `n + 1` literal bytes when 0 ≤ n ≤ 127, by one byte repeated `1 - n` times when -127 ≤ n ≤ -1, and by
/// nothing when n = -128.
enum PackBits {
    /// Longest literal or replicate run one header byte can describe.
    static let maximumRun = 128

    /// Decodes `segment` into `count` bytes written `stride` bytes apart from `output[0]`.
    ///
    /// Output beyond `count` bytes is dropped (an encoder's trailing padding byte, or a last run that overshoots).
    /// `segmentOffset` is where the segment starts in the frame, for the offsets of errors.
    /// - Throws: `.invalidPixelData` when the segment ends before `count` bytes, or a run needs bytes past its end.
    static func decode(_ segment: UnsafeRawBufferPointer, segmentOffset: Int, into output: UnsafeMutablePointer<UInt8>,
                       count: Int, stride: Int) throws(DicomError) {
        guard count > 0 else { return }
        guard let base = segment.baseAddress, segment.count > 0 else {
            throw DicomError(.invalidPixelData, at: segmentOffset, "empty RLE segment, \(count) bytes expected")
        }
        let src = base.assumingMemoryBound(to: UInt8.self)
        let end = segment.count
        var i = 0
        var produced = 0
        while produced < count {
            guard i < end else {
                throw DicomError(.invalidPixelData, at: segmentOffset + i, "RLE segment decodes to \(produced) bytes, \(count) expected")
            }
            let header = Int(Int8(bitPattern: src[i]))
            i += 1
            if header >= 0 {
                let length = header + 1
                guard length <= end - i else {
                    throw DicomError(.invalidPixelData, at: segmentOffset + i - 1, "literal run of \(length) bytes overruns the RLE segment")
                }
                let take = Swift.min(length, count - produced)
                if stride == 1 {
                    (output + produced).update(from: src + i, count: take)
                } else {
                    var o = produced * stride
                    for k in i..<i + take {
                        output[o] = src[k]
                        o += stride
                    }
                }
                produced += take
                i += length
            } else if header != -128 {
                guard i < end else {
                    throw DicomError(.invalidPixelData, at: segmentOffset + i - 1, "replicate run without its byte at the end of the RLE segment")
                }
                let value = src[i]
                i += 1
                let take = Swift.min(1 - header, count - produced)
                if stride == 1 {
                    (output + produced).update(repeating: value, count: take)
                } else {
                    var o = produced * stride
                    for _ in 0..<take {
                        output[o] = value
                        o += stride
                    }
                }
                produced += take
            }
            // -128 is a no-op (PS3.5 §G.3.1).
        }
    }

    /// How many bytes from `i` on equal `value` (`row[i]`), at most `limit`.
    @inline(__always)
    private static func replicateLength(_ row: UnsafePointer<UInt8>, at i: Int, value: UInt8, limit: Int) -> Int {
        var run = 1
        // Eight bytes at a time: the lowest non-zero byte of word ^ (value in every byte) is the first that differs.
        let raw = UnsafeRawPointer(row + i), pattern = UInt64(value) &* 0x0101_0101_0101_0101
        while run &+ 8 <= limit {
            let differs = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: run, as: UInt64.self)) ^ pattern
            if differs != 0 { return run &+ differs.trailingZeroBitCount &>> 3 }
            run &+= 8
        }
        while run < limit && row[i &+ run] == value { run &+= 1 }
        return run
    }

    /// Where a literal run that may not pass `limit` ends: at the first `i` from `from` where three equal bytes start
    /// (`row[i] == row[i + 1] == row[i + 2]`, within `count`), else at `limit`.
    @inline(__always)
    private static func literalEnd(_ row: UnsafePointer<UInt8>, from: Int, limit: Int, count n: Int) -> Int {
        var i = from
        // Eight starting points at a time: a zero byte of (a ^ b) | (b ^ c), where b and c are a shifted by one and two
        // bytes, marks three equal bytes. The lowest zero byte sets the lowest bit of `found` exactly (bits above it may
        // be false alarms), and little-endian loads put the first starting point in the lowest byte.
        let raw = UnsafeRawPointer(row)
        while i < limit && i &+ 10 <= n {
            let a = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i &+ 1, as: UInt64.self))
            let c = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i &+ 2, as: UInt64.self))
            let z = (a ^ b) | (b ^ c)
            let found = (z &- 0x0101_0101_0101_0101) & ~z & 0x8080_8080_8080_8080
            if found != 0 { return Swift.min(i &+ found.trailingZeroBitCount &>> 3, limit) }
            i &+= 8
        }
        while i < limit {
            if i &+ 2 < n && row[i] == row[i &+ 1] && row[i] == row[i &+ 2] { break }
            i &+= 1
        }
        return Swift.min(i, limit)
    }

    /// Bytes `encode(_:count:into:)` writes at most for `count` bytes: a header byte per 128 literal bytes.
    static func worstCase(_ count: Int) -> Int { count + (count + maximumRun - 1) / maximumRun }

    /// Writes the PackBits encoding of `row[0..<count]` to `out`, which has room for `worstCase(count)` bytes, and
    /// returns the number of bytes written. Runs of two or more equal bytes become replicate runs, except that a pair
    /// inside literal bytes stays literal (it would cost the same and split the literal run); no run exceeds 128 bytes.
    static func encode(_ row: UnsafePointer<UInt8>, count n: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var i = 0, o = 0
        while i < n {
            let value = row[i]
            let run = replicateLength(row, at: i, value: value, limit: Swift.min(maximumRun, n &- i))
            if run >= 2 {
                out[o] = UInt8(bitPattern: Int8(truncatingIfNeeded: 1 &- run))
                out[o &+ 1] = value
                o &+= 2
                i &+= run
                continue
            }
            let start = i
            i = literalEnd(row, from: start &+ 1, limit: Swift.min(start &+ maximumRun, n), count: n)
            let length = i &- start
            out[o] = UInt8(truncatingIfNeeded: length &- 1)
            (out + (o &+ 1)).update(from: row + start, count: length)
            o &+= 1 &+ length
        }
        return o
    }
}
