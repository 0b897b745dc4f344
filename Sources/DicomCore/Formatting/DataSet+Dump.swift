#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DataSet {
    /// A text listing like DCMTK's `dcmdump`: one line per element, nested items indented.
    ///
    /// ```
    /// (0010,0010) PN [Wang^Wei]                               #   8, 1 PatientName
    /// ```
    public func dump(maximumValueLength: Int = 64) -> String {
        var out = ""
        dump(into: &out, level: 0, maximumValueLength: maximumValueLength)
        return out
    }

    func dump(into out: inout String, level: Int, maximumValueLength: Int) {
        let indent = String(repeating: "  ", count: level)
        for element in self {
            let keyword = DataDictionary.entry(for: element.tag)?.keyword
                ?? (element.tag.isPrivateCreator ? "PrivateCreator" : element.tag.isPrivate ? "PrivateTag" : "UnknownTag")
            switch element.value {
            case .sequence(let items):
                let len = element.hasUndefinedLength ? "u/l" : "\(items.count) items"
                out += line(indent + "\(element.tag) SQ (Sequence with \(element.hasUndefinedLength ? "undefined" : "explicit") length #=\(items.count))", "# \(len), 1 \(keyword)")
                for item in items {
                    out += line(indent + "  (FFFE,E000) na (Item with \(item.hasUndefinedLength ? "undefined" : "explicit") length #=\(item.count))", "# \(item.hasUndefinedLength ? "u/l" : "-"), 1 Item")
                    item.dump(into: &out, level: level + 2, maximumValueLength: maximumValueLength)
                    if item.hasUndefinedLength { out += line(indent + "  (FFFE,E00D) na (ItemDelimitationItem)", "#   0, 0 ItemDelimitationItem") }
                }
                if element.hasUndefinedLength { out += line(indent + "(FFFE,E0DD) na (SequenceDelimitationItem)", "#   0, 0 SequenceDelimitationItem") }
            case .encapsulated(let pixels):
                out += line(indent + "\(element.tag) \(element.vr) (PixelSequence #=\(pixels.fragments.count + 1))", "# u/l, 1 \(keyword)")
                out += line(indent + "  (FFFE,E000) pi (offset table, \(pixels.basicOffsetTable.count) entries)", "# \(pixels.basicOffsetTable.count * 4), 1 Item")
                for f in pixels.fragments {
                    out += line(indent + "  (FFFE,E000) pi (fragment)", "# \(f.count), 1 Item")
                }
            case .bytes(let bytes):
                let (text, vm) = displayValue(element, bytes: bytes, maximum: maximumValueLength)
                out += line(indent + "\(element.tag) \(element.vr) \(text)", "# \(String(bytes.count).leftPadded(3)), \(vm) \(keyword)")
            }
        }
    }

    private func line(_ left: String, _ right: String) -> String {
        let padded = left.count < 56 ? left + String(repeating: " ", count: 56 - left.count) : left + " "
        return padded + right + "\n"
    }

    private func displayValue(_ element: DataElement, bytes: ArraySlice<UInt8>, maximum: Int) -> (String, Int) {
        if bytes.isEmpty { return ("(no value available)", 0) }
        let vr = element.vr
        if vr.isString {
            let values = DataSet.decodeStrings(bytes, vr: vr, characterSet: characterSet)
            return ("[" + truncate(values.joined(separator: "\\"), maximum) + "]", values.count)
        }
        if vr.isBinaryNumber || vr == .AT {
            let values = DicomJSON.jsonValues(element, bytes: bytes, characterSet: characterSet).map { $0.filter { $0 != "\"" } }
            return (truncate(values.joined(separator: "\\"), maximum), values.count)
        }
        let shown = bytes.prefix(Swift.max(1, maximum / 3)).map { hex($0).lowercased() }.joined(separator: "\\")
        return (bytes.count > maximum / 3 ? shown + "..." : shown, 1)
    }

    private func truncate(_ s: String, _ n: Int) -> String {
        s.count > n ? String(s.prefix(n)) + "..." : s
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
