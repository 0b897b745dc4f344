#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The DICOM JSON Model (PS3.18 §F.2): a data set as JSON, tags as keys in ascending order.
///
/// ```swift
/// let json = DicomJSON.encode(file.dataSet)   // {"00100010":{"vr":"PN","Value":[{"Alphabetic":"Wang^Wei"}]}, ...}
/// ```
public enum DicomJSON {
    /// Choices for the encoder.
    public struct Options: Sendable {
        /// Binary values (OB, OW, OD, OF, OL, OV, UN) up to this many bytes are written as `InlineBinary`; larger ones are omitted.
        public var inlineBinaryLimit: Int = 1024
        /// Pixel Data and its float variants are always omitted.
        public var omitPixelData: Bool = true
        /// Indent with two spaces per level.
        public var pretty: Bool = false
        public init(inlineBinaryLimit: Int = 1024, omitPixelData: Bool = true, pretty: Bool = false) {
            self.inlineBinaryLimit = inlineBinaryLimit
            self.omitPixelData = omitPixelData
            self.pretty = pretty
        }
    }

    /// Encodes `dataSet` as a JSON object.
    public static func encode(_ dataSet: DataSet, options: Options = Options()) -> String {
        var out = ""
        out.reserveCapacity(dataSet.count * 48)
        write(dataSet, into: &out, options: options, indent: 0)
        return out
    }

    static func write(_ dataSet: DataSet, into out: inout String, options: Options, indent: Int) {
        let nl = options.pretty ? "\n" : ""
        let pad = options.pretty ? String(repeating: "  ", count: indent + 1) : ""
        let sep = options.pretty ? ": " : ":"
        out += "{"
        var first = true
        for element in dataSet {
            if !first { out += "," }
            first = false
            out += nl + pad + "\"" + element.tag.jsonKey + "\"" + sep
            writeElement(element, in: dataSet, into: &out, options: options, indent: indent + 1)
        }
        if !first { out += nl + (options.pretty ? String(repeating: "  ", count: indent) : "") }
        out += "}"
    }

    static func writeElement(_ element: DataElement, in dataSet: DataSet, into out: inout String, options: Options, indent: Int) {
        let vr = element.vr
        out += "{\"vr\":\"" + vr.rawValue + "\""
        defer { out += "}" }
        let isPixelData = element.tag == .pixelData || element.tag == .floatPixelData || element.tag == .doubleFloatPixelData
        switch element.value {
        case .encapsulated:
            return
        case .sequence(let items):
            guard !items.isEmpty else { return }
            out += ",\"Value\":["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, into: &out, options: options, indent: indent + 1)
            }
            out += "]"
        case .bytes(let bytes):
            guard !bytes.isEmpty else { return }
            if vr.isBulkBinary || (!vr.isString && !vr.isBinaryNumber && vr != .AT) {
                if isPixelData && options.omitPixelData { return }
                if bytes.count <= options.inlineBinaryLimit {
                    out += ",\"InlineBinary\":\"" + Data(bytes).base64EncodedString() + "\""
                }
                return
            }
            let values = jsonValues(element, bytes: bytes, characterSet: dataSet.characterSet)
            guard !values.isEmpty else { return }
            out += ",\"Value\":[" + values.joined(separator: ",") + "]"
        }
    }

    /// The JSON texts of each value of a non-bulk element.
    static func jsonValues(_ element: DataElement, bytes: ArraySlice<UInt8>, characterSet: SpecificCharacterSet) -> [String] {
        switch element.vr {
        case .US: return bytes.littleEndianValues(UInt16.self).map { String($0) }
        case .SS: return bytes.littleEndianValues(Int16.self).map { String($0) }
        case .UL: return bytes.littleEndianValues(UInt32.self).map { String($0) }
        case .SL: return bytes.littleEndianValues(Int32.self).map { String($0) }
        case .UV: return bytes.littleEndianValues(UInt64.self).map { String($0) }
        case .SV: return bytes.littleEndianValues(Int64.self).map { String($0) }
        case .FL: return bytes.littleEndianValues(UInt32.self).map { number(Double(Float(bitPattern: $0))) }
        case .FD: return bytes.littleEndianValues(UInt64.self).map { number(Double(bitPattern: $0)) }
        case .AT:
            let halves = bytes.littleEndianValues(UInt16.self)
            return stride(from: 0, to: halves.count - 1, by: 2).map { "\"" + Tag(halves[$0], halves[$0 + 1]).jsonKey + "\"" }
        default:
            break
        }
        let strings = DataSet.decodeStrings(bytes, vr: element.vr, characterSet: characterSet)
        if strings.count == 1 && strings[0].isEmpty { return [] }
        switch element.vr {
        case .PN:
            return strings.map { s in
                if s.isEmpty { return "null" }
                let groups = s.split(separator: "=", omittingEmptySubsequences: false)
                var parts: [String] = []
                for (name, group) in zip(["Alphabetic", "Ideographic", "Phonetic"], groups) where !group.isEmpty {
                    parts.append("\"" + name + "\":" + quoted(String(group)))
                }
                return "{" + parts.joined(separator: ",") + "}"
            }
        case .IS, .DS:
            return strings.map { s in
                if s.isEmpty { return "null" }
                if let n = jsonNumberLiteral(s) { return n }
                return quoted(s)   // not a number: keep the text rather than lose it
            }
        default:
            return strings.map { $0.isEmpty ? "null" : quoted($0) }
        }
    }

    /// A double as the shortest JSON text that reads back as the same double.
    static func number(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "\"" + String(d) + "\"" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// The decimal string as a JSON number: kept as written when it already is one (full precision), else normalised.
    static func jsonNumberLiteral(_ s: String) -> String? {
        var t = Substring(s)
        if t.first == "+" { t = t.dropFirst() }
        if isJSONNumber(t) { return String(t) }
        guard let d = Double(t), d.isFinite else { return nil }
        return number(d)
    }

    static func isJSONNumber(_ s: Substring) -> Bool {
        var u = s.utf8[...]
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        guard let f = u.first, f >= 0x30, f <= 0x39 else { return false }
        if f == 0x30, u.count > 1, let n = u.dropFirst().first, n >= 0x30, n <= 0x39 { return false }
        var seenDot = false, seenExp = false, lastDigit = true, justAfterExp = false
        for c in u {
            defer { justAfterExp = (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) }
            switch c {
            case 0x30...0x39: lastDigit = true
            case UInt8(ascii: "."):
                if seenDot || seenExp || !lastDigit { return false }
                seenDot = true; lastDigit = false
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if seenExp || !lastDigit { return false }
                seenExp = true; lastDigit = false
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if !justAfterExp { return false }
            default: return false
            }
        }
        return lastDigit
    }

    /// A JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let h = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
