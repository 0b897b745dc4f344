/// Reads the entropy-coded segment of a scan most significant bit first, removing stuffed zero bytes (T.81 §F.1.2.3).
///
/// The buffer is refilled a byte at a time up to 64 bits. At a marker or the end of the data, zero bits are supplied
/// instead (as libjpeg does) and counted, so that a scan which needed more bits than it had is reported once it ends.
struct JPEGBitReader {
    let data: UnsafeBufferPointer<UInt8>
    /// Next byte to load.
    var position: Int
    /// Bits left-aligned: the next bit is the most significant.
    var buffer: UInt64 = 0
    /// Bits in `buffer`, padding included.
    var count: Int = 0
    /// Zero bits supplied past the end of the segment.
    var padding: Int = 0
    /// A marker (or the end of the data) stopped loading; `position` is at that marker's `FF`.
    var atMarker = false

    init(_ data: UnsafeBufferPointer<UInt8>, at position: Int) {
        self.data = data
        self.position = position
    }

    /// Whether more bits were consumed than the segment held.
    var overran: Bool { count < padding }

    @inline(__always)
    mutating func refill() {
        // Fast path: eight bytes with no FF among them are taken whole.
        if !atMarker && position + 8 <= data.count {
            let word = UInt64(bigEndian: UnsafeRawPointer(data.baseAddress! + position).loadUnaligned(as: UInt64.self))
            let inverted = ~word
            if (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080 == 0 {
                let bytes = (64 - count) / 8
                if bytes > 0 {
                    buffer |= (word >> UInt64(64 - 8 * bytes)) << UInt64(64 - count - 8 * bytes)
                    count += 8 * bytes
                    position += bytes
                }
                return
            }
        }
        while count <= 56 {
            var byte: UInt64 = 0
            if !atMarker {
                if position < data.count {
                    let b = data[position]
                    if b != 0xFF {
                        byte = UInt64(b)
                        position += 1
                    } else {
                        // FF 00 is a stuffed FF; fill bytes (FF FF …) may precede it or a marker.
                        var q = position + 1
                        while q < data.count && data[q] == 0xFF { q += 1 }
                        if q < data.count && data[q] == 0 {
                            byte = 0xFF
                            position = q + 1
                        } else {
                            atMarker = true
                            position = q - 1
                            padding += 8
                        }
                    }
                } else {
                    atMarker = true
                    padding += 8
                }
            } else {
                padding += 8
            }
            buffer |= byte << UInt64(56 - count)
            count += 8
        }
    }

    /// The next `n` bits (1...32) without consuming them; call after `refill`.
    @inline(__always)
    func peek(_ n: Int) -> Int { Int(truncatingIfNeeded: buffer >> UInt64(64 - n)) }

    @inline(__always)
    mutating func skip(_ n: Int) {
        buffer <<= UInt64(n)
        count -= n
    }

    /// Reads `n` bits (0...16) as an unsigned number.
    @inline(__always)
    mutating func bits(_ n: Int) -> Int {
        if n == 0 { return 0 }
        if count < n { refill() }
        let v = peek(n)
        skip(n)
        return v
    }

    /// Reads `s` bits and extends them to a signed difference (T.81 §F.2.2.1, EXTEND).
    @inline(__always)
    mutating func receiveExtend(_ s: Int) -> Int {
        if s == 0 { return 0 }
        let v = bits(s)
        return v < 1 << (s - 1) ? v - (1 << s) + 1 : v
    }

    /// Decodes one Huffman symbol.
    @inline(__always)
    mutating func decode(_ table: JPEGHuffmanLookup) throws(DicomError) -> Int {
        if count < 16 { refill() }
        let entry = table.lookup[peek(JPEGHuffmanTable.lookupBits)]
        if entry != 0 {
            skip(Int(entry >> 8))
            return Int(entry & 0xFF)
        }
        let code16 = peek(16)
        for length in (JPEGHuffmanTable.lookupBits + 1)...16 {
            let code = code16 >> (16 - length)
            if code <= table.maxCode[length] {
                skip(length)
                return Int(table.values[code + table.valueOffset[length]])
            }
        }
        throw DicomError(.invalidPixelData, at: position, "JPEG: no Huffman code matches the scan data")
    }

    /// Drops buffered bits and moves to the next marker, leaving `position` at its `FF`.
    mutating func alignToMarker() {
        buffer = 0
        count = 0
        padding = 0
        atMarker = false
        while position < data.count {
            if data[position] == 0xFF {
                var q = position + 1
                while q < data.count && data[q] == 0xFF { q += 1 }
                if q >= data.count { position = data.count; return }
                if data[q] != 0 { position = q - 1; return }
                position = q + 1
            } else {
                position += 1
            }
        }
    }
}
