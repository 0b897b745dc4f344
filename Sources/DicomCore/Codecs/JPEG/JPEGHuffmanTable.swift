/// A Huffman table for decoding (T.81 §C and §F.2.2.3), with a lookup for codes of up to `lookupBits` bits.
///
/// A class over fixed buffers so that the per-symbol decode touches no reference counts or bounds checks.
final class JPEGHuffmanTable {
    static let lookupBits = 9
    /// For each `lookupBits`-bit prefix: code length << 8 | symbol, or 0 when the code is longer.
    let lookup: UnsafeMutablePointer<UInt16>
    /// Largest code of each length (index 1...16), -1 when there is none.
    let maxCode: UnsafeMutablePointer<Int>
    /// Added to a code of each length to index `values`.
    let valueOffset: UnsafeMutablePointer<Int>
    /// The symbols, padded to 256 entries.
    let values: UnsafeMutablePointer<UInt8>

    /// Builds the table from the 16 code counts (BITS) and the symbols (HUFFVAL); `offset` locates errors.
    init(counts: [Int], values symbols: [UInt8], at offset: Int) throws(DicomError) {
        precondition(counts.count == 16)
        lookup = .allocate(capacity: 1 << Self.lookupBits)
        lookup.initialize(repeating: 0, count: 1 << Self.lookupBits)
        maxCode = .allocate(capacity: 17)
        maxCode.initialize(repeating: -1, count: 17)
        valueOffset = .allocate(capacity: 17)
        valueOffset.initialize(repeating: 0, count: 17)
        values = .allocate(capacity: 256)
        values.initialize(repeating: 0, count: 256)
        guard symbols.count == counts.reduce(0, +), symbols.count <= 256 else {
            throw DicomError(.invalidPixelData, at: offset, "JPEG: Huffman table with \(symbols.count) symbols")
        }
        for (i, v) in symbols.enumerated() { values[i] = v }
        var code = 0
        var index = 0
        for length in 1...16 {
            let n = counts[length - 1]
            valueOffset[length] = index - code
            if n > 0 {
                // Codes of one length are consecutive; they must fit in `length` bits (T.81 §C, Figure C.2).
                guard code + n <= 1 << length else {
                    throw DicomError(.invalidPixelData, at: offset, "JPEG: Huffman code lengths overflow at \(length) bits")
                }
                if length <= Self.lookupBits {
                    for i in 0..<n {
                        let first = (code + i) << (Self.lookupBits - length)
                        let entry = UInt16(length << 8) | UInt16(symbols[index + i])
                        for j in first..<(first + (1 << (Self.lookupBits - length))) { lookup[j] = entry }
                    }
                }
                maxCode[length] = code + n - 1
            }
            code = (code + n) << 1
            index += n
        }
    }

    /// The table's buffers without a reference count, for the decoding loops; valid while the table lives.
    var lookupView: JPEGHuffmanLookup { JPEGHuffmanLookup(lookup: lookup, maxCode: maxCode, valueOffset: valueOffset, values: values) }

    deinit {
        lookup.deallocate()
        maxCode.deallocate()
        valueOffset.deallocate()
        values.deallocate()
    }
}

/// The buffers of a `JPEGHuffmanTable`, borrowed: a plain value the per-symbol decode can use without retaining.
struct JPEGHuffmanLookup {
    let lookup: UnsafeMutablePointer<UInt16>
    let maxCode: UnsafeMutablePointer<Int>
    let valueOffset: UnsafeMutablePointer<Int>
    let values: UnsafeMutablePointer<UInt8>
}

/// A Huffman table for encoding: code and length of each symbol, and the BITS/HUFFVAL that describe it in a DHT.
struct JPEGHuffmanEncoder: Sendable {
    var code = [UInt32](repeating: 0, count: 256)
    var length = [UInt8](repeating: 0, count: 256)
    var counts: [UInt8]
    var values: [UInt8]

    init(counts: [UInt8], values: [UInt8]) {
        self.counts = counts
        self.values = values
        var c: UInt32 = 0
        var index = 0
        for l in 1...16 {
            for _ in 0..<Int(counts[l - 1]) {
                code[Int(values[index])] = c
                length[Int(values[index])] = UInt8(l)
                c += 1
                index += 1
            }
            c <<= 1
        }
    }

    /// An optimal table for symbol `frequencies` with codes of at most 16 bits and no all-ones code (T.81 §K.2).
    init(frequencies: [Int]) {
        var freq = frequencies.map { $0 }
        freq += [Int](repeating: 0, count: 257 - freq.count)
        freq[256] = 1  // reserves the all-ones code
        var codesize = [Int](repeating: 0, count: 257)
        var others = [Int](repeating: -1, count: 257)
        while true {
            var c1 = -1, c2 = -1
            var v = Int.max
            for i in 0...256 where freq[i] > 0 && freq[i] <= v { v = freq[i]; c1 = i }
            v = Int.max
            for i in 0...256 where freq[i] > 0 && freq[i] <= v && i != c1 { v = freq[i]; c2 = i }
            if c2 < 0 { break }
            freq[c1] += freq[c2]
            freq[c2] = 0
            codesize[c1] += 1
            var k = c1
            while others[k] >= 0 { k = others[k]; codesize[k] += 1 }
            others[k] = c2
            codesize[c2] += 1
            k = c2
            while others[k] >= 0 { k = others[k]; codesize[k] += 1 }
        }
        var bits = [Int](repeating: 0, count: 33)
        for i in 0...256 where codesize[i] > 0 { bits[codesize[i]] += 1 }
        var i = 32
        while i > 16 {
            while bits[i] > 0 {
                var j = i - 2
                while bits[j] == 0 { j -= 1 }
                bits[i] -= 2
                bits[i - 1] += 1
                bits[j + 1] += 2
                bits[j] -= 1
            }
            i -= 1
        }
        while bits[i] == 0 { i -= 1 }
        bits[i] -= 1  // drop the reserved code
        var values: [UInt8] = []
        for size in 1...32 {
            for s in 0..<256 where codesize[s] == size { values.append(UInt8(s)) }
        }
        self.init(counts: (1...16).map { UInt8(bits[$0]) }, values: values)
    }
}
