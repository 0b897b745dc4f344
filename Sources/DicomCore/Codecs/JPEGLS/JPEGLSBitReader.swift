/// Reads the entropy-coded bits of one JPEG-LS scan segment (T.87 §A.1): MSB first, one stuffed 0 bit after each 0xFF.
///
/// The segment ends before the marker that closes it. Past its end the reader supplies zero bits, so decoding always
/// terminates; `overrun` tells whether any of them were consumed, and `invalid` whether a code word was impossible.
/// Both are checked once per line, not per sample.
struct JPEGLSBitReader {
    private let base: UnsafePointer<UInt8>
    private var position: Int
    private let end: Int
    private var cache: UInt64 = 0
    private var valid: Int = 0
    private var padding: Int = 0
    private var lastWasFF = false
    /// A code word longer than LIMIT was met.
    var invalid = false

    /// Reads `buffer[start..<end]`.
    init(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        position = start
        self.end = end
        fill()
    }

    /// More bits were read than the segment holds.
    var overrun: Bool { padding > valid }

    @inline(__always) private mutating func fill() {
        // Fast path: eight bytes without 0xFF (so without stuffing) go in at once.
        if !lastWasFF && position + 8 <= end {
            let word = UInt64(bigEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let inverted = ~word
            if (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080 == 0 {
                let count = (64 &- valid) &>> 3
                cache |= (word & (UInt64.max &<< UInt64(64 &- 8 &* count))) &>> UInt64(valid)
                valid &+= 8 &* count
                position &+= count
                return
            }
        }
        fillSlowly()
    }

    /// Byte by byte: near 0xFF bytes (the stuffed bit) and at the end of the segment. Out of line, so that the loops
    /// that read bits keep their registers for themselves.
    @inline(never) private mutating func fillSlowly() {
        while valid <= 56 {
            if position >= end {
                padding += 64 - valid
                valid = 64
                return
            }
            let byte = base[position]
            position &+= 1
            if lastWasFF {
                cache |= UInt64(byte) &<< UInt64(57 &- valid)
                valid &+= 7
            } else {
                cache |= UInt64(byte) &<< UInt64(56 &- valid)
                valid &+= 8
            }
            lastWasFF = byte == 0xFF
        }
    }

    /// Reads `count` bits (0…32) as an unsigned value.
    @inline(__always) mutating func read(_ count: Int32) -> Int32 {
        if count == 0 { return 0 }
        if valid < Int(count) { fill() }
        let value = Int32(truncatingIfNeeded: cache &>> UInt64(64 &- count))
        cache &<<= UInt64(count)
        valid &-= Int(count)
        return value
    }

    /// Reads one bit.
    @inline(__always) mutating func readBit() -> Bool {
        if valid < 1 { fill() }
        let bit = cache & (1 << 63) != 0
        cache &<<= 1
        valid -= 1
        return bit
    }

    /// Counts 0 bits up to and including the next 1 bit; returns the count of zeros, at most `maximum`.
    @inline(__always) mutating func readUnary(maximum: Int32) -> Int32 {
        var count: Int32 = 0
        while true {
            if valid < 32 { fill() }
            let zeros = cache.leadingZeroBitCount
            if zeros < valid {
                cache &<<= UInt64(zeros &+ 1)
                valid &-= zeros &+ 1
                let total = count &+ Int32(zeros)
                if total > maximum { invalid = true; return maximum }
                return total
            }
            count += Int32(valid)
            cache = 0
            valid = 0
            if count > maximum { invalid = true; return maximum }
        }
    }

    /// Decodes a limited-length Golomb code word (T.87 §A.5.3) with parameter `k`.
    @inline(__always) mutating func decodeValue(k: Int32, limit: Int32, qbpp: Int32) -> Int32 {
        // Fast path: the whole code word is in the cache and is not an escape.
        if valid < 32 { fill() }
        let zeros = Int32(truncatingIfNeeded: cache.leadingZeroBitCount)
        let total = zeros &+ 1 &+ k
        if zeros < limit &- qbpp &- 1 && Int(total) < valid {
            // The k bits after the 1, without a branch for k = 0: a shift by 64 would be a shift by 0.
            let low = Int32(truncatingIfNeeded: ((cache &<< UInt64(zeros &+ 1)) &>> 1) &>> UInt64(63 &- k))
            cache &<<= UInt64(total)
            valid &-= Int(total)
            return (zeros &<< k) | low
        }
        return decodeValueSlowly(k: k, limit: limit, qbpp: qbpp)
    }

    @inline(never) private mutating func decodeValueSlowly(k: Int32, limit: Int32, qbpp: Int32) -> Int32 {
        let high = readUnary(maximum: limit &- qbpp &- 1)
        if high < limit &- qbpp &- 1 {
            if k == 0 { return high }
            return (high &<< k) | read(k)
        }
        return read(qbpp) &+ 1
    }
}
