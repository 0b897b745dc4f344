#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif
import DicomCore

/// A pseudo-colour map: 256 RGB entries indexed by the 8-bit grey level after VOI and presentation.
public struct Palette: Sendable, Hashable {
    public var name: String
    /// 256 entries, packed as RGBA bytes in memory order (alpha 255).
    public var rgba: [UInt32]

    /// Builds a map from 256 (r, g, b) triples.
    public init(name: String, colors: (Int) -> (UInt8, UInt8, UInt8)) {
        self.name = name
        rgba = (0..<256).map { i in
            let (r, g, b) = colors(i)
            return UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16 | 0xFF00_0000
        }
    }

    /// The names `named(_:)` knows.
    public static let builtInNames = ["gray", "hot-iron", "rainbow", "pet", "jet", "bone"]

    /// A built-in map by name (case-insensitive; `hotiron`, `hot_iron` and `hot-iron` are the same).
    public static func named(_ name: String) -> Palette? {
        switch name.lowercased().split(separator: "_", omittingEmptySubsequences: false).joined(separator: "-") {
        case "gray", "grey": return .gray
        case "hot-iron", "hotiron": return .hotIron
        case "rainbow": return .rainbow
        case "pet": return .pet
        case "jet": return .jet
        case "bone": return .bone
        default: return nil
        }
    }

    static func ramp(_ x: Double) -> UInt8 { UInt8(min(max(x, 0), 1) * 255 + 0.5) }

    /// Grey: the identity.
    public static let gray = Palette(name: "gray") { i in (UInt8(i), UInt8(i), UInt8(i)) }

    /// Hot iron (PS3.6 Annex B "HOT_IRON" shape): black → red → yellow → white, red rising over the first half.
    public static let hotIron = Palette(name: "hot-iron") { i in
        (UInt8(min(i * 255 / 127, 255)), UInt8(i < 128 ? 0 : (i - 128) * 255 / 127), UInt8(i < 192 ? 0 : (i - 192) * 255 / 63))
    }

    /// Rainbow: violet → blue → cyan → green → yellow → red, as an HSV hue sweep from 270° to 0°.
    public static let rainbow = Palette(name: "rainbow") { i in
        let h = (1 - Double(i) / 255) * 270 / 60
        let x = 1 - abs(h.truncatingRemainder(dividingBy: 2) - 1)
        let (r, g, b): (Double, Double, Double)
        switch Int(h) {
        case 0: (r, g, b) = (1, x, 0)
        case 1: (r, g, b) = (x, 1, 0)
        case 2: (r, g, b) = (0, 1, x)
        case 3: (r, g, b) = (0, x, 1)
        default: (r, g, b) = (x, 0, 1)
        }
        return (ramp(r), ramp(g), ramp(b))
    }

    /// PET (PS3.6 Annex B "PET" shape): black → blue → magenta-red → orange → white.
    public static let pet = Palette(name: "pet") { i in
        let t = Double(i) / 255
        let r = t < 0.25 ? 0 : (t - 0.25) / 0.5
        let g = t < 0.5 ? 0 : (t - 0.5) / 0.5
        let b = t < 0.25 ? t / 0.25 : t < 0.5 ? 1 - (t - 0.25) / 0.25 : t < 0.75 ? 0 : (t - 0.75) / 0.25
        return (ramp(r), ramp(g), ramp(b))
    }

    /// Jet-like: dark blue → blue → cyan → yellow → red → dark red.
    public static let jet = Palette(name: "jet") { i in
        let t = Double(i) / 255
        return (ramp(1.5 - abs(4 * t - 3)), ramp(1.5 - abs(4 * t - 2)), ramp(1.5 - abs(4 * t - 1)))
    }

    /// Bone: grey with a blue tint in the shadows and a warm tint in the highlights (`7/8 grey + 1/8 reversed hot`).
    public static let bone = Palette(name: "bone") { i in
        let t = Double(i) / 255
        let r = (7 * t + (t < 0.75 ? 0 : (t - 0.75) * 4)) / 8
        let g = (7 * t + (t < 0.375 ? 0 : t < 0.75 ? (t - 0.375) / 0.375 : 1)) / 8
        let b = (7 * t + (t < 0.375 ? t / 0.375 : 1)) / 8
        return (ramp(r), ramp(g), ramp(b))
    }
}

/// The Palette Color Lookup Tables of a PALETTE COLOR image (PS3.3 §C.7.6.3.1.5–6): stored value → RGB.
public struct PaletteColorLUT: Sendable, Hashable {
    public var red: LookupTable
    public var green: LookupTable
    public var blue: LookupTable

    /// Reads the red, green and blue descriptors and data (0028,1101–1103, 0028,1201–1203).
    /// Segmented palettes (0028,1221–1223) are not supported and fail with `.invalidLookupTable`.
    public init(_ dataSet: DataSet) throws(ImagingError) {
        if dataSet.contains(.segmentedRedPaletteData) && !dataSet.contains(.redPaletteData) {
            throw ImagingError(.invalidLookupTable, "segmented palette colour LUTs are not supported")
        }
        let signed = dataSet.int(.pixelRepresentation) == 1
        func lut(_ d: Tag, _ data: Tag) throws(ImagingError) -> LookupTable {
            try LookupTable.read(descriptor: dataSet.ints(d), descriptorIsSigned: dataSet[d]?.vr == .SS, data: dataSet[data], signedInput: signed)
        }
        red = try lut(.redPaletteDescriptor, .redPaletteData)
        green = try lut(.greenPaletteDescriptor, .greenPaletteData)
        blue = try lut(.bluePaletteDescriptor, .bluePaletteData)
    }

    /// The colour of stored value `x` as RGBA bytes in memory order, each channel scaled to 8 bits.
    @inlinable public func rgba(_ x: Int) -> UInt32 {
        func c(_ l: LookupTable) -> UInt32 { l.bits <= 8 ? UInt32(l(x) & 0xFF) : UInt32(l(x) >> (l.bits - 8) & 0xFF) }
        return c(red) | c(green) << 8 | c(blue) << 16 | 0xFF00_0000
    }
}
