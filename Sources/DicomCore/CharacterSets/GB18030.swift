/// GB 18030 and its two-byte subset GBK (PS3.3 C.12.1.1.2, PS3.5 Annex K), both stand-alone: no escape sequences.
///
/// One byte 0x00-0x7F is ASCII. Two bytes: lead 0x81-0xFE, trail 0x40-0x7E or 0x80-0xFE, from the generated table.
/// Four bytes: 0x81-0xFE, 0x30-0x39, 0x81-0xFE, 0x30-0x39, read as one linear index; the BMP part
/// (0x81308130-0x8431A439) maps through 206 ranges in Unicode order, the supplementary planes start at 0x90308130
/// and are purely arithmetic (GB 18030-2005 §6).
enum GB18030 {
    /// Linear index of 0x90308130, the first supplementary-plane sequence.
    static let supplementaryBase: UInt32 = (0x90 - 0x81) * 12600

    /// Decodes into `sink`; malformed or unmapped sequences become U+FFFD.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, gbkOnly: Bool, into sink: inout UTF8Sink) {
        let twoByte = gbkOnly ? CharacterSetTables.gbkTwoByte : CharacterSetTables.gb18030TwoByte
        let count = bytes.count
        var i = 0
        while i < count {
            let b1 = bytes[i]
            if b1 < 0x80 {
                sink.append(UInt32(b1))
                i += 1
                continue
            }
            guard b1 != 0x80, b1 != 0xFF, i + 1 < count else {
                sink.appendReplacement()
                i += 1
                continue
            }
            let b2 = bytes[i + 1]
            if b2 >= 0x40, b2 != 0x7F, b2 != 0xFF {
                let scalar = twoByte[Int(b1 - 0x81) * 192 + Int(b2 - 0x40)]
                if scalar == 0 { sink.appendReplacement() } else { sink.append(UInt32(scalar)) }
                i += 2
            } else if !gbkOnly, b2 >= 0x30, b2 <= 0x39, i + 3 < count,
                      (0x81...0xFE).contains(bytes[i + 2]), (0x30...0x39).contains(bytes[i + 3]) {
                let linear = ((UInt32(b1 - 0x81) * 10 + UInt32(b2 - 0x30)) * 126 + UInt32(bytes[i + 2] - 0x81)) * 10
                    + UInt32(bytes[i + 3] - 0x30)
                if let scalar = scalar(linear: linear) { sink.append(scalar) } else { sink.appendReplacement() }
                i += 4
            } else {
                // Not a sequence start: replace the lead byte alone and resynchronise on the next one.
                sink.appendReplacement()
                i += 1
            }
        }
    }

    /// The scalar for a four-byte linear index, or nil when it is outside both mapped regions.
    static func scalar(linear: UInt32) -> UInt32? {
        if linear >= supplementaryBase {
            let scalar = linear - supplementaryBase + 0x10000
            return scalar <= 0x10FFFF ? scalar : nil
        }
        let ranges = CharacterSetTables.gb18030FourByteRanges
        let pairs = ranges.count / 2 - 1 // the last pair is the (count, 0) sentinel
        guard linear < ranges[2 * pairs] else { return nil }
        // Largest range whose start is <= linear.
        var low = 0, high = pairs - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if ranges[2 * mid] <= linear { low = mid } else { high = mid - 1 }
        }
        return ranges[2 * low + 1] + (linear - ranges[2 * low])
    }

    /// Appends the encoding of `scalar`, or returns false when the set lacks it (only possible for GBK).
    static func encode(_ scalar: UInt32, gbkOnly: Bool, into out: inout [UInt8]) -> Bool {
        if scalar < 0x80 {
            out.append(UInt8(scalar))
            return true
        }
        if scalar < 0x10000 {
            let code = gbkOnly ? CharacterSetTables.gbkTwoByteReverse[Int(scalar)]
                               : CharacterSetTables.gb18030TwoByteReverse[Int(scalar)]
            if code != 0 {
                out.append(UInt8(code >> 8))
                out.append(UInt8(code & 0xFF))
                return true
            }
        }
        guard !gbkOnly, let linear = linear(scalar: scalar) else { return false }
        out.append(UInt8(0x81 + linear / 12600))
        out.append(UInt8(0x30 + linear / 1260 % 10))
        out.append(UInt8(0x81 + linear / 10 % 126))
        out.append(UInt8(0x30 + linear % 10))
        return true
    }

    /// The four-byte linear index for a scalar that has no one- or two-byte form.
    static func linear(scalar: UInt32) -> UInt32? {
        if scalar >= 0x10000 { return scalar <= 0x10FFFF ? scalar - 0x10000 + supplementaryBase : nil }
        let ranges = CharacterSetTables.gb18030FourByteRanges
        let pairs = ranges.count / 2 - 1
        // Ranges are in Unicode order too: largest range whose first scalar is <= scalar.
        var low = 0, high = pairs - 1
        guard scalar >= ranges[1] else { return nil }
        while low < high {
            let mid = (low + high + 1) / 2
            if ranges[2 * mid + 1] <= scalar { low = mid } else { high = mid - 1 }
        }
        let offset = scalar - ranges[2 * low + 1]
        let length = ranges[2 * low + 2] - ranges[2 * low]
        return offset < length ? ranges[2 * low] + offset : nil
    }
}
