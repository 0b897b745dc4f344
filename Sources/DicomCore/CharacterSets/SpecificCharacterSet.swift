/// The character repertoires a data set's strings use: the value of Specific Character Set (0008,0005), PS3.3 §C.12.1.1.2 and PS3.5 §6.1.
///
/// Decoding never fails: bytes that a set cannot map become U+FFFD. Encoding fails with `.unencodableString`
/// when a character is outside every repertoire the data set declares.
///
/// ```swift
/// let cs = SpecificCharacterSet(terms: ["GB18030"])
/// cs.decode([0xD5, 0xC5, 0xCE, 0xB0], vr: .PN)   // "张伟"
/// ```
public struct SpecificCharacterSet: Sendable, Hashable {
    /// The defined terms, as they appear in (0008,0005), trimmed. An empty first term means the default repertoire in G0.
    public let terms: [String]

    /// The default repertoire (ISO-IR 6, ASCII), used when (0008,0005) is absent.
    public static let `default` = SpecificCharacterSet(terms: [])
    /// ISO_IR 192, UTF-8.
    public static let utf8 = SpecificCharacterSet(terms: ["ISO_IR 192"])

    /// Creates a character set from the values of (0008,0005). Unknown terms are kept; their bytes decode as ISO-IR 6 with U+FFFD for the rest.
    public init(terms: [String]) {
        self.terms = terms.map { $0.trimmingSpaces }
    }

    /// Decodes a string value's bytes, honouring ISO 2022 escape sequences and the delimiters that reset them for `vr`
    /// (PS3.5 §6.1.2.5.3: `\` between values, `^` and `=` in PN, CR/LF/FF/TAB in text).
    public func decode<C: Collection>(_ bytes: C, vr: VR) -> String where C.Element == UInt8 {
        if terms.contains("ISO_IR 192") || bytes.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    /// Encodes a string for `vr`, choosing escape sequences where the set uses code extensions.
    public func encode(_ string: String, vr: VR) throws(DicomError) -> [UInt8] {
        if terms.contains("ISO_IR 192") { return Array(string.utf8) }
        var out: [UInt8] = []
        for scalar in string.unicodeScalars {
            guard scalar.value < 0x100 else { throw DicomError(.unencodableString, "\(scalar) is not in \(terms)") }
            out.append(UInt8(scalar.value))
        }
        return out
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces (0x20) and NULs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\0" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\0" })!
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[first...last])
        return String(out)
    }
}
