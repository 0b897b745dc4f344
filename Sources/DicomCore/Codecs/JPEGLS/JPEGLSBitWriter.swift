/// Writes JPEG-LS entropy-coded bits (T.87 §A.1), MSB first, stuffing a 0 bit after every 0xFF byte,
/// into a buffer sized for the worst case beforehand.
struct JPEGLSBitWriter {
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count: Int
    private var cache: UInt64 = 0
    private var bits: Int = 0
    private var lastWasFF = false

    /// Writes into `buffer[start..<capacity]`.
    init(_ buffer: UnsafeMutablePointer<UInt8>, capacity: Int, start: Int) {
        self.buffer = buffer
        self.capacity = capacity
        self.count = start
    }

    @inline(__always) private mutating func flush() {
        // Fast path: four bytes without 0xFF need no stuffing and go out at once.
        if bits >= 32 && !lastWasFF && count &+ 4 <= capacity {
            let word = UInt32(truncatingIfNeeded: cache &>> 32)
            let inverted = ~word
            if (inverted &- 0x0101_0101) & ~inverted & 0x8080_8080 == 0 {
                UnsafeMutableRawPointer(buffer + count).storeBytes(of: word.bigEndian, as: UInt32.self)
                count &+= 4
                cache &<<= 32
                bits &-= 32
                return
            }
        }
        flushSlowly()
    }

    @inline(never) private mutating func flushSlowly() {
        while bits >= (lastWasFF ? 7 : 8) {
            let byte: UInt8
            if lastWasFF {
                byte = UInt8(truncatingIfNeeded: cache &>> 57)
                cache &<<= 7
                bits -= 7
            } else {
                byte = UInt8(truncatingIfNeeded: cache &>> 56)
                cache &<<= 8
                bits -= 8
            }
            precondition(count < capacity, "JPEG-LS bit writer capacity")
            buffer[count] = byte
            count += 1
            lastWasFF = byte == 0xFF
        }
    }

    /// Appends the low `n` bits (0…32) of `value`.
    @inline(__always) mutating func write(_ value: Int32, _ n: Int32) {
        if n == 0 { return }
        let v = UInt64(UInt32(bitPattern: value)) & ((1 &<< UInt64(n)) &- 1)
        cache |= v &<< UInt64(64 &- bits &- Int(n))
        bits &+= Int(n)
        if bits >= 32 { flush() }
    }

    /// Appends `n` zero bits.
    @inline(__always) mutating func writeZeros(_ n: Int32) {
        var left = n
        while left > 0 {
            let chunk = min(left, 24)
            bits += Int(chunk)
            if bits >= 32 { flush() }
            left -= chunk
        }
    }

    /// Encodes `value` as a limited-length Golomb code word with parameter `k` (T.87 §A.5.3).
    @inline(__always) mutating func encodeValue(_ value: Int32, k: Int32, limit: Int32, qbpp: Int32) {
        let high = value &>> k
        let length = high &+ 1 &+ k
        if high < limit &- qbpp &- 1 && length <= 32 {
            // Zeros, the 1 that ends them and k low bits, as one write.
            let one = UInt32(1) &<< UInt32(k)
            write(Int32(bitPattern: one | (UInt32(bitPattern: value) & (one &- 1))), length)
            return
        }
        encodeValueSlowly(value, k: k, limit: limit, qbpp: qbpp)
    }

    @inline(never) private mutating func encodeValueSlowly(_ value: Int32, k: Int32, limit: Int32, qbpp: Int32) {
        let high = value &>> k
        if high < limit &- qbpp &- 1 {
            writeZeros(high)
            write(1, 1)
            write(value, k)
        } else {
            writeZeros(limit - qbpp - 1)
            write(1, 1)
            write(value - 1, qbpp)
        }
    }

    /// Pads the last byte with zero bits; after a final 0xFF a stuffed zero byte follows so no marker is mistaken.
    mutating func finish() {
        flush()
        if bits > 0 {
            bits = lastWasFF ? 7 : 8
            flush()
        }
        if lastWasFF {
            precondition(count < capacity, "JPEG-LS bit writer capacity")
            buffer[count] = 0
            count += 1
            lastWasFF = false
        }
    }
}
