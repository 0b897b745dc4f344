/// The four error-correction levels of a QR Code symbol (ISO/IEC 18004:2015 §5.3.8, Table 13): roughly the share of
/// codewords that can be restored when damaged.
public enum QRErrorCorrection: String, Sendable, Hashable, CaseIterable, Codable {
    /// About 7 % of codewords.
    case low = "L"
    /// About 15 % of codewords: the usual choice for screens and clean print.
    case medium = "M"
    /// About 25 % of codewords.
    case quartile = "Q"
    /// About 30 % of codewords: for labels that get scuffed, or a logo over the middle.
    case high = "H"

    /// The two bits this level puts in the format information (§7.9.1, Table 12): L 01, M 00, Q 11, H 10.
    var formatBits: Int {
        switch self {
        case .low: return 1
        case .medium: return 0
        case .quartile: return 3
        case .high: return 2
        }
    }

    /// Row of this level in the block tables.
    var tableIndex: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .quartile: return 2
        case .high: return 3
        }
    }

    /// Parses `L`, `M`, `Q` or `H` (either case).
    public init?(letter: String) {
        self.init(rawValue: letter.uppercased())
    }
}
