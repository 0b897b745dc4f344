/// A graphic character set that ISO 2022 designates to the G0 (bytes 0x21-0x7E) or G1 (bytes 0xA1-0xFE) code element
/// (PS3.3 Tables C.12-3 and C.12-4, PS3.5 §6.1.2.5).
enum GraphicSet: Hashable, Sendable {
    /// ISO-IR 6, `ESC ( B`.
    case ascii
    /// ISO-IR 14, JIS X 0201 romaji, `ESC ( J`. Decoded as ASCII: 0x5C stays the DICOM value delimiter
    /// (pydicom's shift_jis does the same), so it differs from `ascii` only in the escape that returns to it.
    case jisRoman
    /// ISO-IR 13, JIS X 0201 katakana, `ESC ) I`.
    case katakana
    /// A 96-character set in G1, `ESC - F`.
    case singleByte(SingleByteSet)
    /// A 94x94 set, `ESC $ B`, `ESC $ ( D`, `ESC $ ) C` or `ESC $ ) A`.
    case doubleByte(DoubleByteSet)

    /// Whether the encoder designates this set to G1 rather than G0.
    var isG1: Bool {
        switch self {
        case .ascii, .jisRoman: false
        case .katakana, .singleByte: true
        case .doubleByte(let set): set == .ksX1001 || set == .gb2312
        }
    }

    /// Appends the escape sequence that designates this set to its code element, as PS3.3 Tables C.12-3/4 give it.
    func appendDesignation(to out: inout [UInt8]) {
        out.append(0x1B)
        switch self {
        case .ascii: out += [0x28, 0x42]
        case .jisRoman: out += [0x28, 0x4A]
        case .katakana: out += [0x29, 0x49]
        case .singleByte(let set): out += [0x2D, set.finalByte]
        case .doubleByte(.jisX0208): out += [0x24, 0x42]
        case .doubleByte(let set): out += [0x24, isG1 ? 0x29 : 0x28, set.finalByte]
        }
    }

    /// Reads a designation from an escape sequence's intermediate bytes (0x20-0x2F, up to two) and final byte.
    /// Returns nil for sequences we do not know, including designations to G2 and G3.
    /// Accepts a set in either element when the bytes say so: the escape itself names the set, so we honour it
    /// even when (0008,0005) did not declare it.
    static func designation(intermediate1: UInt8, intermediate2: UInt8?, final: UInt8) -> (set: GraphicSet, g1: Bool)? {
        switch (intermediate1, intermediate2) {
        case (0x28, nil), (0x29, nil): // ( or ): 94-character sets
            let g1 = intermediate1 == 0x29
            switch final {
            case UInt8(ascii: "B"): return (.ascii, g1)
            case UInt8(ascii: "J"): return (.jisRoman, g1)
            case UInt8(ascii: "I"): return (.katakana, g1)
            default: return nil
            }
        case (0x2D, nil): // -: 96-character set to G1
            return SingleByteSet(finalByte: final).map { (.singleByte($0), true) }
        case (0x24, nil), (0x24, 0x28): // $ or $(: 94x94 set to G0
            return DoubleByteSet(finalByte: final).map { (.doubleByte($0), false) }
        case (0x24, 0x29): // $): 94x94 set to G1
            return DoubleByteSet(finalByte: final).map { (.doubleByte($0), true) }
        default:
            return nil
        }
    }

    /// Appends `scalar` in this set, invoked in G0 (GL bytes) or G1 (GR bytes); false when the set lacks it.
    func encode(_ scalar: UInt32, inG1 g1: Bool, into out: inout [UInt8]) -> Bool {
        let high: UInt8 = g1 ? 0x80 : 0
        switch self {
        case .ascii, .jisRoman:
            guard scalar > 0x20, scalar < 0x7F else { return false }
            out.append(UInt8(scalar) | high)
        case .katakana:
            guard scalar >= 0xFF61, scalar <= 0xFF9F else { return false }
            out.append(UInt8(scalar - 0xFF61 + 0x21) | high)
        case .singleByte(let set):
            guard g1, let byte = set.byte(for: scalar) else { return false }
            out.append(byte)
        case .doubleByte(let set):
            guard let code = set.code(for: scalar) else { return false }
            out.append(UInt8(code >> 8) | high)
            out.append(UInt8(code & 0xFF) | high)
        }
        return true
    }
}

/// One defined term of Specific Character Set (0008,0005), after normalising common misspellings (PS3.3 C.12.1.1.2).
enum CharacterSetTerm: Hashable, Sendable {
    /// ISO_IR 6, ISO 2022 IR 6, or an empty first value.
    case ascii
    /// ISO_IR 13, ISO 2022 IR 13: romaji in G0, katakana in G1.
    case jisX0201
    case singleByte(SingleByteSet)
    case doubleByte(DoubleByteSet)
    /// ISO_IR 192.
    case utf8
    case gb18030
    case gbk

    /// Recognises a term, tolerating case, `_`/`-`/space variants and missing spaces
    /// (`ISO_IR_100`, `ISO-IR 100`, `ISO IR 192`, `iso 2022 ir 87`), as pydicom does and a little more.
    init?(_ term: String) {
        let key = String(String.UnicodeScalarView(term.uppercased().unicodeScalars.filter {
            ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }))
        switch key {
        case "": self = .ascii
        case "GB18030": self = .gb18030
        case "GBK", "ISO2022GBK": self = .gbk
        case "UTF8": self = .utf8
        default:
            let number: Substring
            if key.hasPrefix("ISO2022IR") {
                number = key.dropFirst(9)
            } else if key.hasPrefix("ISOIR") {
                number = key.dropFirst(5)
            } else if key.hasPrefix("ISO2022") {
                number = key.dropFirst(7) // "ISO 2022 58", CP 1234
            } else {
                return nil
            }
            switch number {
            case "6": self = .ascii
            case "13": self = .jisX0201
            case "100": self = .singleByte(.latin1)
            case "101": self = .singleByte(.latin2)
            case "109": self = .singleByte(.latin3)
            case "110": self = .singleByte(.latin4)
            case "144": self = .singleByte(.cyrillic)
            case "127": self = .singleByte(.arabic)
            case "126": self = .singleByte(.greek)
            case "138": self = .singleByte(.hebrew)
            case "148": self = .singleByte(.latin5)
            case "166": self = .singleByte(.thai)
            case "87": self = .doubleByte(.jisX0208)
            case "159": self = .doubleByte(.jisX0212)
            case "149": self = .doubleByte(.ksX1001)
            case "58": self = .doubleByte(.gb2312)
            case "192": self = .utf8
            default: return nil
            }
        }
    }

    /// UTF-8, GB18030 and GBK cannot take part in code extensions (PS3.3 Table C.12-5, PS3.5 §6.1.2.5.4 d).
    var isStandAlone: Bool {
        switch self {
        case .utf8, .gb18030, .gbk: true
        default: false
        }
    }

    /// The set this term adds beyond ASCII, for the ISO 2022 machinery.
    var graphicSet: GraphicSet? {
        switch self {
        case .jisX0201: .katakana
        case .singleByte(let set): .singleByte(set)
        case .doubleByte(let set): .doubleByte(set)
        case .ascii, .utf8, .gb18030, .gbk: nil
        }
    }
}
