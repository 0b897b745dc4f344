/// The character repertoires a data set's strings use: the value of Specific Character Set (0008,0005), PS3.3 §C.12.1.1.2 and PS3.5 §6.1.
///
/// Supported defined terms: ISO_IR 6 (default), ISO_IR 100/101/109/110/126/127/138/144/148/166, ISO_IR 13, ISO_IR 192,
/// GB18030, GBK, and with code extensions ISO 2022 IR 6/13/87/100/101/109/110/126/127/138/144/148/149/159/166/58.
/// Terms are matched ignoring case and `_`/`-`/space differences (`ISO_IR_100`, `ISO-IR 100`, `ISO IR 192`).
///
/// Decoding never fails: bytes that a set cannot map become U+FFFD. When (0008,0005) is absent but a value has bytes
/// beyond ASCII, valid UTF-8 decodes as UTF-8 and anything else as GB18030, the superset of the GBK that Chinese
/// writers use without declaring it. Encoding fails with `.unencodableString`
/// when a character is outside every repertoire the data set declares.
///
/// ```swift
/// let cs = SpecificCharacterSet(terms: ["GB18030"])
/// cs.decode([0xD5, 0xC5, 0xCE, 0xB0], vr: .PN)   // "张伟"
/// let jp = SpecificCharacterSet(parsing: "\\ISO 2022 IR 87")
/// try jp.encode("Yamada^Tarou=山田^太郎", vr: .PN) // ASCII, then ESC $ B ... ESC ( B around each kanji group
/// ```
public struct SpecificCharacterSet: Sendable, Hashable {
    /// The defined terms, as they appear in (0008,0005), trimmed. An empty first term means the default repertoire in G0.
    public let terms: [String]

    /// Whether every term was recognised. Unknown terms are ignored (an unknown first term acts as ISO_IR 6).
    public let isKnown: Bool

    let plan: Plan

    /// The default repertoire (ISO-IR 6, ASCII), used when (0008,0005) is absent.
    public static let `default` = SpecificCharacterSet(terms: [])
    /// ISO_IR 192, UTF-8.
    public static let utf8 = SpecificCharacterSet(terms: ["ISO_IR 192"])

    /// Creates a character set from the values of (0008,0005). Unknown terms are kept; their bytes decode as ISO-IR 6 with U+FFFD for the rest.
    ///
    /// Follows PS3.3 C.12.1.1.2: the first value is in effect at the start of every value; the others are reached by
    /// ISO 2022 escape sequences. UTF-8, GB18030 and GBK cannot be code extensions: as first value they make the
    /// others ignored, elsewhere they are ignored themselves (as pydicom does).
    public init(terms: [String]) {
        self.terms = terms.map { $0.trimmingSpaces }
        var known = true
        let resolved: [CharacterSetTerm?] = self.terms.enumerated().map { index, term in
            // An empty value is the default repertoire only in first position; elsewhere it adds nothing.
            if term.isEmpty { return index == 0 ? .ascii : nil }
            let parsed = CharacterSetTerm(term)
            if parsed == nil { known = false }
            return parsed
        }
        isKnown = known
        plan = Plan(resolving: resolved)
    }

    /// Creates a character set from the raw value of (0008,0005), whose values are separated by backslashes.
    ///
    /// ```swift
    /// SpecificCharacterSet(parsing: "\\ISO 2022 IR 149").terms // ["", "ISO 2022 IR 149"]
    /// ```
    public init(parsing rawValue: String) {
        let values = rawValue.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
        self.init(terms: values.count == 1 && values[0].trimmingSpaces.isEmpty ? [] : values)
    }

    /// Whether the set uses ISO 2022 code extensions (more than one value, or an `ISO 2022` term).
    public var usesCodeExtensions: Bool {
        plan.form == .iso2022 && (terms.count > 1 || terms.contains { $0.uppercased().contains("2022") })
    }
}

/// How a `SpecificCharacterSet` reads and writes bytes, worked out once from its terms.
struct Plan: Hashable, Sendable {
    enum Form: Hashable, Sendable {
        /// ASCII in G0 plus ISO 2022 designations; also covers single-valued ISO_IR terms (their set starts in G1).
        case iso2022
        case utf8
        case gb18030
        case gbk
    }

    var form: Form = .iso2022
    /// The G0 set at the start of each value and after each delimiter.
    var initialG0: GraphicSet = .ascii
    /// The G1 set at the start of each value and after each delimiter, if any.
    var initialG1: GraphicSet?
    /// The declared non-ASCII sets, in (0008,0005) order: the encoder tries them in this order.
    var extensions: [GraphicSet] = []

    init(resolving terms: [CharacterSetTerm?]) {
        guard let first = terms.first else { return }
        switch first {
        case .utf8?: form = .utf8; return
        case .gb18030?: form = .gb18030; return
        case .gbk?: form = .gbk; return
        case .jisX0201?: initialG0 = .jisRoman
        default: break
        }
        // Only a G1 set can be in effect initially: delimiters must stay ASCII, so a G0 set needs its escape.
        if let set = first?.graphicSet, set.isG1 { initialG1 = set }
        for case let term? in terms where !term.isStandAlone {
            if let set = term.graphicSet, !extensions.contains(set) { extensions.append(set) }
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces (0x20) and NULs. Both are ASCII, so trimming the UTF-8 view
    /// never splits a character.
    var trimmingSpaces: String {
        let u = Substring(self).utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0 }) else { return "" }
        let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0 })!
        return String(decoding: u[first...last], as: UTF8.self)
    }
}
