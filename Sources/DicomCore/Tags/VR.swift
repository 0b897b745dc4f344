/// A Value Representation, PS3.5 §6.2: all 34 of them.
public enum VR: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW
    case PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV

    /// Creates a VR from its two ASCII bytes as they appear in an explicit VR encoding.
    @inlinable
    public init?(_ b0: UInt8, _ b1: UInt8) {
        // Both bytes are upper-case letters: index a 26×26 table (the parser calls this for every element).
        let i = Int(b0) &- 0x41, j = Int(b1) &- 0x41
        guard i >= 0, i < 26, j >= 0, j < 26, let vr = VR.byLetters[i * 26 + j] else { return nil }
        self = vr
    }

    @usableFromInline
    static let byLetters: [VR?] = {
        var table = [VR?](repeating: nil, count: 26 * 26)
        for vr in VR.allCases {
            let u = Array(vr.rawValue.utf8)
            table[Int(u[0] - 0x41) * 26 + Int(u[1] - 0x41)] = vr
        }
        return table
    }()

    /// The two ASCII bytes of the VR.
    public var bytes: (UInt8, UInt8) {
        let u = Array(rawValue.utf8)
        return (u[0], u[1])
    }

    public var description: String { rawValue }

    /// VRs whose explicit encoding has two reserved bytes and a 32-bit length (PS3.5 Table 7.1-1).
    public var hasLongExplicitLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .UC, .UN, .UR, .UT, .SV, .UV: return true
        default: return false
        }
    }

    /// Character string VRs.
    public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: return true
        default: return false
        }
    }

    /// String VRs whose bytes are interpreted through Specific Character Set (0008,0005); the others use the default repertoire (PS3.5 §6.1.2.3).
    public var usesSpecificCharacterSet: Bool {
        switch self {
        case .SH, .LO, .ST, .LT, .UC, .UT, .PN: return true
        default: return false
        }
    }

    /// Text VRs hold one value: backslash is an ordinary character there (PS3.5 §6.2).
    public var isSingleValuedText: Bool {
        switch self {
        case .LT, .ST, .UT, .UR: return true
        default: return false
        }
    }

    /// The byte used to pad a value to even length: NUL for UI and binary VRs, space for strings (PS3.5 §6.2).
    public var paddingByte: UInt8 {
        switch self {
        case .UI, .OB, .OD, .OF, .OL, .OV, .OW, .UN, .AT, .FD, .FL, .SL, .SS, .SV, .UL, .US, .UV, .SQ: return 0
        default: return 0x20
        }
    }

    /// Size in bytes of one binary value, for VRs of fixed-size numbers (the unit byte order swaps).
    public var binaryUnitSize: Int? {
        switch self {
        case .OB, .UN: return 1
        case .SS, .US, .OW: return 2
        case .SL, .UL, .FL, .OF, .OL: return 4
        case .AT: return 2 // two 16-bit halves, each swapped on its own
        case .FD, .OD, .SV, .UV, .OV: return 8
        default: return nil
        }
    }

    /// Binary numeric VRs that the DICOM JSON Model writes as JSON numbers.
    public var isBinaryNumber: Bool {
        switch self {
        case .FD, .FL, .SL, .SS, .SV, .UL, .US, .UV: return true
        default: return false
        }
    }

    /// Bulk VRs the JSON Model writes as InlineBinary.
    public var isBulkBinary: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN: return true
        default: return false
        }
    }
}
