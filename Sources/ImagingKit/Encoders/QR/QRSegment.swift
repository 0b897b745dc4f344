/// A run of data in one encoding mode (ISO/IEC 18004:2015 §7.4): the mode indicator, the character count and the
/// data bits, ready to be concatenated into a symbol's bit stream.
///
/// ```swift
/// let segments = QRSegment.segments(for: "https://example.org/p/abc")   // one byte-mode segment
/// let code = try QRCode(segments: segments, errorCorrection: .medium)
/// ```
public struct QRSegment: Sendable, Hashable {
    /// The encoding modes we write (§7.3, Table 2). Kanji and structured append are not used.
    public enum Mode: Sendable, Hashable {
        /// Digits 0–9, 10 bits per 3 digits (§7.4.3).
        case numeric
        /// Digits, upper-case A–Z and ` $%*+-./:`, 11 bits per 2 characters (§7.4.4).
        case alphanumeric
        /// Any 8-bit bytes (§7.4.5); text is written as UTF-8.
        case byte
        /// An Extended Channel Interpretation designator (§7.4.2), e.g. 26 for UTF-8.
        case eci

        /// The 4-bit mode indicator (Table 2).
        var indicator: UInt32 {
            switch self {
            case .numeric: return 0b0001
            case .alphanumeric: return 0b0010
            case .byte: return 0b0100
            case .eci: return 0b0111
            }
        }

        /// Bits in the character count indicator for a version (Table 3); 0 for ECI, which has none.
        func characterCountBits(version: Int) -> Int {
            let band = version <= 9 ? 0 : (version <= 26 ? 1 : 2)
            switch self {
            case .numeric: return [10, 12, 14][band]
            case .alphanumeric: return [9, 11, 13][band]
            case .byte: return [8, 16, 16][band]
            case .eci: return 0
            }
        }
    }

    /// The mode.
    public let mode: Mode
    /// Characters (numeric, alphanumeric), bytes (byte) or the assignment number (ECI).
    public let characterCount: Int
    /// The data bits, most significant first, without the mode indicator and count.
    let data: QRBitBuffer

    /// The alphanumeric character set in value order (Table 5).
    static let alphanumericCharacters = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)
    private static let alphanumericValue: [UInt8: UInt32] = {
        var table: [UInt8: UInt32] = [:]
        for (value, character) in alphanumericCharacters.enumerated() { table[character] = UInt32(value) }
        return table
    }()

    /// Digits as a numeric segment; `invalidArgument` when a character is not 0–9.
    public static func numeric(_ digits: String) throws(ImagingError) -> QRSegment {
        let bytes = Array(digits.utf8)
        guard bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw ImagingError(.invalidArgument, "numeric QR segment with a non-digit") }
        var bits = QRBitBuffer()
        var index = 0
        while index < bytes.count {
            let take = min(3, bytes.count - index)
            var value: UInt32 = 0
            for byte in bytes[index..<index + take] { value = value * 10 + UInt32(byte - 0x30) }
            bits.append(value, count: take * 3 + 1)   // 3 digits → 10 bits, 2 → 7, 1 → 4
            index += take
        }
        return QRSegment(mode: .numeric, characterCount: bytes.count, data: bits)
    }

    /// Text of the alphanumeric set as an alphanumeric segment; `invalidArgument` otherwise.
    public static func alphanumeric(_ text: String) throws(ImagingError) -> QRSegment {
        let bytes = Array(text.utf8)
        var values: [UInt32] = []
        values.reserveCapacity(bytes.count)
        for byte in bytes {
            guard let value = alphanumericValue[byte] else { throw ImagingError(.invalidArgument, "alphanumeric QR segment with a character outside Table 5") }
            values.append(value)
        }
        var bits = QRBitBuffer()
        var index = 0
        while index + 1 < values.count {
            bits.append(values[index] * 45 + values[index + 1], count: 11)
            index += 2
        }
        if index < values.count { bits.append(values[index], count: 6) }
        return QRSegment(mode: .alphanumeric, characterCount: values.count, data: bits)
    }

    /// Bytes as a byte-mode segment.
    public static func bytes(_ bytes: [UInt8]) -> QRSegment {
        var bits = QRBitBuffer()
        for byte in bytes { bits.append(UInt32(byte), count: 8) }
        return QRSegment(mode: .byte, characterCount: bytes.count, data: bits)
    }

    /// An ECI designator (§7.4.2.2, Table 4): 1, 2 or 3 bytes depending on the assignment number.
    public static func eci(_ assignment: Int) throws(ImagingError) -> QRSegment {
        var bits = QRBitBuffer()
        switch assignment {
        case 0..<128: bits.append(UInt32(assignment), count: 8)
        case 128..<16_384: bits.append(0b10, count: 2); bits.append(UInt32(assignment), count: 14)
        case 16_384..<1_000_000: bits.append(0b110, count: 3); bits.append(UInt32(assignment), count: 21)
        default: throw ImagingError(.invalidArgument, "ECI assignment \(assignment) is out of range")
        }
        return QRSegment(mode: .eci, characterCount: assignment, data: bits)
    }

    /// The most compact single segment for `text`: numeric when all digits, alphanumeric when all in Table 5, else
    /// its UTF-8 bytes. Empty text gives no segment.
    public static func segments(for text: String) -> [QRSegment] {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return [] }
        if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let segment = try? numeric(text) { return [segment] }
        if bytes.allSatisfy({ alphanumericValue[$0] != nil }), let segment = try? alphanumeric(text) { return [segment] }
        return [Self.bytes(bytes)]
    }

    /// Bits this segment takes in a symbol of `version`, header included; nil when the count does not fit its field.
    func encodedBitCount(version: Int) -> Int? {
        let countBits = mode.characterCountBits(version: version)
        if mode != .eci, characterCount >= 1 << countBits { return nil }
        return 4 + countBits + data.count
    }
}

/// A growable sequence of bits, most significant bit first within each appended value.
struct QRBitBuffer: Sendable, Hashable {
    private(set) var bits: [Bool] = []

    var count: Int { bits.count }

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: UInt32, count: Int) {
        precondition(count >= 0 && count <= 32 && (count == 32 || value >> UInt32(count) == 0), "\(value) does not fit in \(count) bits")
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> UInt32(shift)) & 1 == 1) }
    }

    mutating func append(_ other: QRBitBuffer) { bits += other.bits }

    /// The bits packed into bytes, the last one padded with zeros.
    func bytes() -> [UInt8] {
        var result = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit { result[index >> 3] |= 0x80 >> UInt8(index & 7) }
        return result
    }
}
