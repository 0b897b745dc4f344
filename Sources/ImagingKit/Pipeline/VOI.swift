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

/// The VOI LUT Function (0028,1056) a window is applied with (PS3.3 §C.11.2.1.2, §C.11.2.1.3).
public enum VOIFunction: String, Sendable, Hashable, CaseIterable {
    case linear = "LINEAR"
    case linearExact = "LINEAR_EXACT"
    case sigmoid = "SIGMOID"
}

/// A window: Window Center (0028,1050) and Window Width (0028,1051) with its function and explanation.
public struct Window: Sendable, Hashable {
    public var center: Double
    public var width: Double
    public var function: VOIFunction
    /// Window Center & Width Explanation (0028,1055), such as "LUNG".
    public var explanation: String?

    public init(center: Double, width: Double, function: VOIFunction = .linear, explanation: String? = nil) {
        self.center = center
        self.width = width
        self.function = function
        self.explanation = explanation
    }

    /// The output for modality value `x` in `yMin...yMax`, with the exact formulas of the standard:
    ///
    /// - LINEAR (§C.11.2.1.2.1), width ≥ 1 (smaller widths are read as 1):
    ///   `x ≤ c − 0.5 − (w−1)/2 → yMin`; `x > c − 0.5 + (w−1)/2 → yMax`;
    ///   else `((x − (c − 0.5)) / (w−1) + 0.5) × (yMax − yMin) + yMin`. (A width of exactly 1 is a threshold at c − 0.5.)
    /// - LINEAR_EXACT (§C.11.2.1.3.2), width > 0: `x ≤ c − w/2 → yMin`; `x > c + w/2 → yMax`;
    ///   else `((x − c) / w + 0.5) × (yMax − yMin) + yMin`.
    /// - SIGMOID (§C.11.2.1.3.1): `(yMax − yMin) / (1 + exp(−4 (x − c) / w)) + yMin`.
    @inlinable public func output(_ x: Double, yMin: Double, yMax: Double) -> Double {
        switch function {
        case .linear:
            let w = max(width, 1)
            if x <= center - 0.5 - (w - 1) / 2 { return yMin }
            if x > center - 0.5 + (w - 1) / 2 { return yMax }
            if w == 1 { return yMax }
            return ((x - (center - 0.5)) / (w - 1) + 0.5) * (yMax - yMin) + yMin
        case .linearExact:
            let w = width > 0 ? width : Double.leastNormalMagnitude
            if x <= center - w / 2 { return yMin }
            if x > center + w / 2 { return yMax }
            return ((x - center) / w + 0.5) * (yMax - yMin) + yMin
        case .sigmoid:
            let w = width > 0 ? width : Double.leastNormalMagnitude
            return (yMax - yMin) / (1 + exp(-4 * (x - center) / w)) + yMin
        }
    }

    /// The 8-bit grey level of modality value `x`: `output(x, yMin: 0, yMax: 255)` rounded to nearest.
    @inlinable public func gray8(_ x: Double) -> UInt8 {
        UInt8(output(x, yMin: 0, yMax: 255).rounded())
    }

    /// CT presets: lung −600/1500, mediastinum 50/350, bone 400/1800, brain 40/80, abdomen 40/400, liver 60/160 (C/W in HU).
    public static let presets: [String: Window] = [
        "lung": Window(center: -600, width: 1500, explanation: "LUNG"),
        "mediastinum": Window(center: 50, width: 350, explanation: "MEDIASTINUM"),
        "bone": Window(center: 400, width: 1800, explanation: "BONE"),
        "brain": Window(center: 40, width: 80, explanation: "BRAIN"),
        "abdomen": Window(center: 40, width: 400, explanation: "ABDOMEN"),
        "liver": Window(center: 60, width: 160, explanation: "LIVER"),
    ]
}

/// The VOI stage (PS3.3 §C.11.2): modality values to a 0…1 display range.
public enum VOITransform: Sendable, Hashable {
    /// Window Center/Width with its function.
    case window(Window)
    /// A VOI LUT Sequence item: entries scaled from 0…2^bits−1 to the output range.
    case table(LookupTable)
    /// A window from the frame's histogram (``AutoWindow``), resolved when rendering.
    case auto

    /// Every VOI a data set offers, in file order: each Window Center/Width pair (with its explanation and the
    /// VOI LUT Function), then each VOI LUT Sequence item. Multi-valued centre/width give one window per pair.
    public static func available(in dataSet: DataSet) -> [VOITransform] {
        var out: [VOITransform] = []
        let centers = dataSet.doubles(.windowCenter), widths = dataSet.doubles(.windowWidth)
        let explanations = dataSet.strings(.windowCenterWidthExplanation)
        let function = VOIFunction(rawValue: dataSet.string(.voiLUTFunction)?.uppercased() ?? "") ?? .linear
        for i in 0..<min(centers.count, widths.count) where widths[i] > 0 {
            let explanation = i < explanations.count && !explanations[i].isEmpty ? explanations[i] : nil
            out.append(.window(Window(center: centers[i], width: widths[i], function: function, explanation: explanation)))
        }
        let signed = dataSet.int(.pixelRepresentation) == 1 && dataSet.sequence(.modalityLUTSequence) == nil
        for item in dataSet.sequence(.voiLUTSequence) ?? [] {
            if let lut = try? LookupTable.read(item: item, signedInput: signed) { out.append(.table(lut)) }
        }
        return out
    }

    /// A human-readable description: "C 40 W 400 (BRAIN)", "VOI LUT (explanation)", "auto".
    public var explanation: String {
        switch self {
        case .window(let w):
            let c = w.center.rounded() == w.center ? String(Int(w.center)) : String(w.center)
            let wd = w.width.rounded() == w.width ? String(Int(w.width)) : String(w.width)
            return "C \(c) W \(wd)" + (w.explanation.map { " (\($0))" } ?? "") + (w.function == .linear ? "" : " \(w.function.rawValue)")
        case .table(let lut): return "VOI LUT" + (lut.explanation.map { " (\($0))" } ?? "")
        case .auto: return "auto"
        }
    }

    /// The 8-bit output for modality value `x`; `.auto` must be resolved first (it maps everything to 0).
    @inlinable public func gray8(_ x: Double) -> UInt8 {
        switch self {
        case .window(let w): return w.gray8(x)
        case .table(let lut):
            let v = lut(Int(x.rounded(.down)))
            return UInt8(min(max((Double(v) * 255 / Double(lut.maxOutput)).rounded(), 0), 255))
        case .auto: return 0
        }
    }
}

/// The window used when a frame has none: from the histogram of its modality values.
public enum AutoWindow {
    /// A linear window over the 0.5th to 99.5th percentile of `values` (4096-bin histogram over the value range),
    /// so that a few extreme pixels (padding, metal) do not flatten the image; when those coincide, the min-max window.
    public static func window<C: Collection>(for values: C) -> Window where C.Element == Float {
        guard var lo = values.first else { return Window(center: 0, width: 1, explanation: "AUTO") }
        var hi = lo
        for v in values { lo = min(lo, v); hi = max(hi, v) }
        if hi <= lo { return Window(center: Double(lo), width: 1, explanation: "AUTO") }
        let bins = 4096
        var counts = [Int](repeating: 0, count: bins)
        let scale = Float(bins - 1) / (hi - lo)
        for v in values { counts[Int((v - lo) * scale)] += 1 }
        let n = values.count
        let cut = n / 200
        var acc = 0, low = 0, high = bins - 1
        for i in 0..<bins { acc += counts[i]; if acc > cut { low = i; break } }
        acc = 0
        for i in stride(from: bins - 1, through: 0, by: -1) { acc += counts[i]; if acc > cut { high = i; break } }
        var a = Double(lo) + Double(low) / Double(scale), b = Double(lo) + Double(high + 1) / Double(scale)
        if b <= a { a = Double(lo); b = Double(hi) }
        return Window(center: (a + b) / 2, width: max(b - a, 1), explanation: "AUTO")
    }
}
