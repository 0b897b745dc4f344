/// Lookup tables for the non-ASCII repertoires, decoded at first use from the base64 literals in
/// `CharacterSetTables+Generated.swift` (made by `Scripts/generate-charset-tables.py` from Python's codecs).
///
/// Every `static let` is lazy and thread-safe, so a process pays only for the sets its data uses.
/// Forward tables hold Unicode scalars (0 = unmapped); reverse tables are indexed by BMP scalar and hold the code (0 = none).
enum CharacterSetTables {
    static let singleByte = Table(uint16s(fromBase64: singleByteBase64))
    static let singleByteReverse: [[UInt16: UInt8]] = SingleByteSet.allCases.map { set in
        var map: [UInt16: UInt8] = [:]
        for byte in 0x80...0xFF {
            let scalar = singleByte[set.rawValue * 128 + byte - 0x80]
            if scalar != 0, map[scalar] == nil { map[scalar] = UInt8(byte) }
        }
        return map
    }

    static let jisX0208 = Table(uint16s(fromBase64: jisX0208Base64))
    static let jisX0212 = Table(uint16s(fromBase64: jisX0212Base64))
    static let ksX1001 = Table(uint16s(fromBase64: ksX1001Base64))
    static let gb2312 = Table(uint16s(fromBase64: gb2312Base64))
    static let jisX0208Reverse = reverse94(jisX0208)
    static let jisX0212Reverse = reverse94(jisX0212)
    static let ksX1001Reverse = reverse94(ksX1001)
    static let gb2312Reverse = reverse94(gb2312)

    static let gb18030TwoByte = Table(uint16s(fromBase64: gb18030TwoByteBase64))
    static let gbkTwoByte = Table(uint16s(fromBase64: gbkTwoByteBase64))
    static let gb18030TwoByteReverse = reverse(gb18030TwoByte) { UInt16(0x81 + $0 / 192) << 8 | UInt16(0x40 + $0 % 192) }
    static let gbkTwoByteReverse = reverse(gbkTwoByte) { UInt16(0x81 + $0 / 192) << 8 | UInt16(0x40 + $0 % 192) }
    static let gb18030FourByteRanges: [UInt32] = uint32s(fromBase64: gb18030FourByteRangesBase64)

    /// A lookup table in memory that is allocated once and never freed, so the decoder can hold it without
    /// reference counting on the per-byte path (measured: retain/release was a quarter of short-value decoding).
    struct Table: @unchecked Sendable { // immutable after init and never deallocated, so sharing it is safe
        let base: UnsafePointer<UInt16>
        let count: Int

        /// A table with no entries, for code elements that need none.
        static let empty = Table([])

        init(_ values: [UInt16]) {
            let storage = UnsafeMutablePointer<UInt16>.allocate(capacity: max(values.count, 1))
            storage.initialize(from: values, count: values.count)
            base = UnsafePointer(storage)
            count = values.count
        }

        /// The value at `index`; callers derive indices from validated byte ranges, checked in debug builds.
        @inline(__always)
        subscript(index: Int) -> UInt16 {
            assert(index >= 0 && index < count)
            return base[index]
        }
    }

    private static func reverse94(_ table: Table) -> Table {
        reverse(table) { UInt16(0x21 + $0 / 94) << 8 | UInt16(0x21 + $0 % 94) }
    }

    /// Inverts a forward table over the BMP; the first (lowest) code wins when two map to one scalar.
    private static func reverse(_ table: Table, code: (Int) -> UInt16) -> Table {
        var out = [UInt16](repeating: 0, count: 0x10000)
        for index in 0..<table.count {
            let scalar = Int(table[index])
            if scalar != 0 && out[scalar] == 0 { out[scalar] = code(index) }
        }
        return Table(out)
    }

    static func uint16s(fromBase64 text: String) -> [UInt16] {
        let raw = bytes(fromBase64: text)
        return [UInt16](unsafeUninitializedCapacity: raw.count / 2) { out, count in
            for i in 0..<raw.count / 2 { out[i] = UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8 }
            count = raw.count / 2
        }
    }

    static func uint32s(fromBase64 text: String) -> [UInt32] {
        let raw = bytes(fromBase64: text)
        return (0..<raw.count / 4).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[4 * i + $1]) << (8 * $1) }
        }
    }

    /// Decodes base64, skipping the line breaks and indentation of the multi-line literals and the `=` padding.
    /// Runs once per table per process, over contiguous UTF-8 with a lookup table (it was 8% of a 300-file header scan).
    static func bytes(fromBase64 text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { input in
            [UInt8](unsafeUninitializedCapacity: input.count * 3 / 4 + 3) { out, count in
                var accumulator: UInt32 = 0
                var bits: UInt32 = 0
                count = 0
                for c in input {
                    let value = base64Values[Int(c)]
                    if value == 0xFF { continue }
                    accumulator = accumulator << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out[count] = UInt8(truncatingIfNeeded: accumulator >> bits)
                        count += 1
                        accumulator &= (1 << bits) - 1
                    }
                }
            }
        }
    }

    /// Base64 digit values by ASCII code; 0xFF for characters that are skipped.
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()
}

/// A 96-character set invoked in G1: the upper half of an ISO 8859 part or TIS 620 (PS3.3 Table C.12-2/C.12-3).
/// Case order matches the generator's `SINGLE_BYTE` list.
enum SingleByteSet: Int, Sendable, Hashable, CaseIterable {
    case latin1, latin2, latin3, latin4, cyrillic, arabic, greek, hebrew, latin5, thai

    /// The final byte of `ESC - F`, which designates the set to G1 (ISO 2022 registration).
    var finalByte: UInt8 {
        switch self {
        case .latin1: UInt8(ascii: "A")
        case .latin2: UInt8(ascii: "B")
        case .latin3: UInt8(ascii: "C")
        case .latin4: UInt8(ascii: "D")
        case .cyrillic: UInt8(ascii: "L")
        case .arabic: UInt8(ascii: "G")
        case .greek: UInt8(ascii: "F")
        case .hebrew: UInt8(ascii: "H")
        case .latin5: UInt8(ascii: "M")
        case .thai: UInt8(ascii: "T")
        }
    }

    init?(finalByte: UInt8) {
        guard let set = Self.allCases.first(where: { $0.finalByte == finalByte }) else { return nil }
        self = set
    }

    /// The scalar for a byte 0x80-0xFF, or 0 when the set leaves it undefined.
    @inline(__always)
    func scalar(_ byte: UInt8) -> UInt32 {
        UInt32(CharacterSetTables.singleByte[rawValue &* 128 &+ Int(byte) &- 0x80])
    }

    /// The byte (0x80-0xFF) for a scalar, if the set has it.
    func byte(for scalar: UInt32) -> UInt8? {
        guard scalar < 0x10000 else { return nil }
        return CharacterSetTables.singleByteReverse[rawValue][UInt16(scalar)]
    }
}

/// A 94x94 double-byte set (PS3.3 Table C.12-4).
enum DoubleByteSet: Int, Sendable, Hashable, CaseIterable {
    /// ISO-IR 87, designated to G0 by `ESC $ B`.
    case jisX0208
    /// ISO-IR 159, designated to G0 by `ESC $ ( D`.
    case jisX0212
    /// ISO-IR 149, designated to G1 by `ESC $ ) C`.
    case ksX1001
    /// ISO-IR 58, designated to G1 by `ESC $ ) A`.
    case gb2312

    /// The final byte of the designating escape sequence.
    var finalByte: UInt8 {
        switch self {
        case .jisX0208: UInt8(ascii: "B")
        case .jisX0212: UInt8(ascii: "D")
        case .ksX1001: UInt8(ascii: "C")
        case .gb2312: UInt8(ascii: "A")
        }
    }

    init?(finalByte: UInt8) {
        switch finalByte {
        case UInt8(ascii: "@"), UInt8(ascii: "B"): self = .jisX0208
        case UInt8(ascii: "D"): self = .jisX0212
        case UInt8(ascii: "C"): self = .ksX1001
        case UInt8(ascii: "A"): self = .gb2312
        default: return nil
        }
    }

    /// The forward table: 94x94 scalars, row-major from 0x2121.
    var table: CharacterSetTables.Table {
        switch self {
        case .jisX0208: CharacterSetTables.jisX0208
        case .jisX0212: CharacterSetTables.jisX0212
        case .ksX1001: CharacterSetTables.ksX1001
        case .gb2312: CharacterSetTables.gb2312
        }
    }

    /// The GL code (0x2121-0x7E7E) for a scalar, if the set has it.
    func code(for scalar: UInt32) -> UInt16? {
        guard scalar < 0x10000 else { return nil }
        let code: UInt16
        switch self {
        case .jisX0208: code = CharacterSetTables.jisX0208Reverse[Int(scalar)]
        case .jisX0212: code = CharacterSetTables.jisX0212Reverse[Int(scalar)]
        case .ksX1001: code = CharacterSetTables.ksX1001Reverse[Int(scalar)]
        case .gb2312: code = CharacterSetTables.gb2312Reverse[Int(scalar)]
        }
        return code == 0 ? nil : code
    }
}
