/// Writes JPEG marker segments and entropy-coded data, stuffing a zero byte after every `FF` in the data (T.81 §F.1.2.3).
struct JPEGBitWriter {
    var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var count = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends the low `n` bits (0...32) of `value`.
    @inline(__always)
    mutating func write(_ value: UInt32, _ n: Int) {
        if n == 0 { return }
        accumulator = accumulator << UInt64(n) | UInt64(value) & ((1 << UInt64(n)) - 1)
        count += n
        while count >= 8 {
            count -= 8
            let byte = UInt8(truncatingIfNeeded: accumulator >> UInt64(count))
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }
        }
    }

    /// Pads the last byte with one bits.
    mutating func flush() {
        if count > 0 { write((1 << UInt32(8 - count)) - 1, 8 - count) }
        accumulator = 0
    }

    mutating func marker(_ code: UInt8) { bytes += [0xFF, code] }

    mutating func segment(_ code: UInt8, _ contents: [UInt8]) {
        marker(code)
        bytes += [UInt8((contents.count + 2) >> 8), UInt8((contents.count + 2) & 0xFF)]
        bytes += contents
    }

    mutating func huffmanTable(tableClass: Int, id: Int, _ table: JPEGHuffmanEncoder) {
        segment(0xC4, [UInt8(tableClass << 4 | id)] + table.counts + table.values)
    }

    /// Ends the codestream with EOI and pads it to an even length, as a DICOM fragment must be (PS3.5 §A.4).
    mutating func finish() -> [UInt8] {
        marker(0xD9)
        if bytes.count % 2 == 1 { bytes.append(0) }
        return bytes
    }

    /// Size category of a difference or coefficient (T.81 §F.1.2.1) and its extra bits.
    @inline(__always)
    static func category(_ value: Int) -> (size: Int, bits: UInt32) {
        if value == 0 { return (0, 0) }
        let magnitude = value < 0 ? -value : value
        let size = Int.bitWidth - magnitude.leadingZeroBitCount
        let bits = value < 0 ? value - 1 : value
        return (size, UInt32(truncatingIfNeeded: bits) & ((1 << UInt32(size)) - 1))
    }
}
