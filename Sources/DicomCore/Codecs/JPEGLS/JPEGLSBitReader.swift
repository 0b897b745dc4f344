/// Reads the entropy-coded bits of one JPEG-LS scan segment (T.87 §A.1): MSB first, one stuffed 0 bit after each 0xFF.
///
/// The segment ends before the marker that closes it. Past its end the reader supplies zero bits, so decoding always
/// terminates; `overrun` tells whether any of them were consumed, and `invalid` whether a code word was impossible.
/// Both are checked once per line, not per sample.
struct JPEGLSBitReader {
    /// The next byte to go into the cache.
    private var next: UnsafePointer<UInt8>
    /// `fill` may load eight bytes at `next` as they are while `next <= fastLimit`: none of them is 0xFF, follows
    /// a 0xFF or lies past the end. Below every real address when that does not hold for any position ahead.
    private var fastLimit: UnsafePointer<UInt8>
    private var cache: UInt64 = 0
    private var valid: Int = 0
    // Only the slow path uses the fields below: in the decoding loops they stay in memory, out of the registers.
    private let base: UnsafePointer<UInt8>
    private let end: UnsafePointer<UInt8>
    /// The first 0xFF at or after the one `fastLimit` was derived from, or `end`.
    private var nextFF: UnsafePointer<UInt8>
    private var padding: Int = 0
    private var lastWasFF = false
    /// A code word longer than LIMIT was met.
    var invalid = false

    /// Reads `buffer[start..<end]`.
    init(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
        next = base + start
        self.end = base + end
        nextFF = base + start
        fastLimit = Self.never
        nextFF = firstFF(from: next)
        fastLimit = limit(before: nextFF)
        fill()
    }

    /// A `fastLimit` below every position.
    private static var never: UnsafePointer<UInt8> { UnsafePointer(bitPattern: 1)! }

    /// More bits were read than the segment holds.
    var overrun: Bool { padding > valid }

    /// The first 0xFF in `from..<end`, or `end`.
    private func firstFF(from: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var p = from
        while end - p >= 8 {
            // The lowest byte that is 0xFF marks the lowest set bit exactly (bits above it may be false alarms).
            let inverted = ~UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            let found = (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080
            if found != 0 { return p + found.trailingZeroBitCount &>> 3 }
            p += 8
        }
        while p < end && p.pointee != 0xFF { p += 1 }
        return p
    }

    /// The last position from which eight bytes end at or before `stop`.
    private func limit(before stop: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        stop - base >= 8 ? stop - 8 : Self.never
    }

    @inline(__always) private mutating func fill() {
        // Fast path: eight bytes without 0xFF (so without stuffing) go in at once.
        if next <= fastLimit {
            let word = UInt64(bigEndian: UnsafeRawPointer(next).loadUnaligned(as: UInt64.self))
            let count = (64 &- valid) &>> 3
            cache |= (word & (UInt64.max &<< UInt64(64 &- 8 &* count))) &>> UInt64(valid)
            valid &+= 8 &* count
            next += count
            return
        }
        self = refilled()
    }

    /// `fillSlowly` on a copy. The decoding loops keep the reader in registers only while no call takes its address:
    /// an `inout` call on their copy, even a rare one, would put `cache` and `valid` in memory for the whole loop.
    @inline(never) private func refilled() -> JPEGLSBitReader {
        var copy = self
        copy.fillSlowly()
        return copy
    }

    /// Byte by byte: near 0xFF bytes (the stuffed bit) and at the end of the segment. Out of line, so that the loops
    /// that read bits keep their registers for themselves.
    private mutating func fillSlowly() {
        while valid <= 56 {
            if next >= end {
                padding += 64 - valid
                valid = 64
                break
            }
            let byte = next.pointee
            next += 1
            if lastWasFF {
                cache |= UInt64(byte) &<< UInt64(57 &- valid)
                valid &+= 7
            } else {
                cache |= UInt64(byte) &<< UInt64(56 &- valid)
                valid &+= 8
            }
            lastWasFF = byte == 0xFF
        }
        if lastWasFF {
            fastLimit = Self.never
            return
        }
        if next > nextFF { nextFF = firstFF(from: next) }
        fastLimit = limit(before: nextFF)
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
            // The 1 and the k bits after it, read as 2^k + low: (zeros << k) + low is that plus (zeros - 1) << k.
            // Shift counts stay in 0…63 (k ≤ 31), so no branch for k = 0.
            let head = Int32(truncatingIfNeeded: (cache &<< UInt64(truncatingIfNeeded: zeros)) &>> UInt64(truncatingIfNeeded: 63 &- k))
            cache &<<= UInt64(truncatingIfNeeded: total)
            valid &-= Int(total)
            return head &+ ((zeros &- 1) &<< k)
        }
        let (copy, value) = decodedSlowly(k: k, limit: limit, qbpp: qbpp)
        self = copy
        return value
    }

    /// `decodeValueSlowly` on a copy, for the reason `refilled` gives.
    @inline(never) private func decodedSlowly(k: Int32, limit: Int32, qbpp: Int32) -> (JPEGLSBitReader, Int32) {
        var copy = self
        let value = copy.decodeValueSlowly(k: k, limit: limit, qbpp: qbpp)
        return (copy, value)
    }

    private mutating func decodeValueSlowly(k: Int32, limit: Int32, qbpp: Int32) -> Int32 {
        let high = readUnary(maximum: limit &- qbpp &- 1)
        if high < limit &- qbpp &- 1 {
            if k == 0 { return high }
            return (high &<< k) | read(k)
        }
        return read(qbpp) &+ 1
    }
}
