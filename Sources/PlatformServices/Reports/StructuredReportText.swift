import DicomCore

/// Plain text of a Structured Report (PS3.3 C.17.3): headings from concept names, paragraphs from TEXT items.
public enum StructuredReportText {
    /// Walks the content tree depth first and joins every TEXT/CODE/NUM value under its concept name.
    public static func extract(_ dataSet: DataSet) -> String {
        var lines: [String] = []
        walk(dataSet.sequence(Tag(0x0040, 0xA730)) ?? [], depth: 0, into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func walk(_ items: [DataSet], depth: Int, into lines: inout [String]) {
        guard depth < 32 else { return }
        for item in items {
            let concept = item.sequence(Tag(0x0040, 0xA043))?.first?.string(Tag(0x0008, 0x0104)) ?? ""
            switch item.string(Tag(0x0040, 0xA040)) ?? "" {
            case "TEXT":
                let value = item.string(Tag(0x0040, 0xA160)) ?? ""
                lines.append(concept.isEmpty ? value : "\(concept): \(value)")
            case "CODE":
                let value = item.sequence(Tag(0x0040, 0xA168))?.first?.string(Tag(0x0008, 0x0104)) ?? ""
                lines.append(concept.isEmpty ? value : "\(concept): \(value)")
            case "NUM":
                if let measured = item.sequence(Tag(0x0040, 0xA300))?.first {
                    let value = measured.string(Tag(0x0040, 0xA30A)) ?? ""
                    let unit = measured.sequence(Tag(0x0040, 0x08EA))?.first?.string(Tag(0x0008, 0x0100)) ?? ""
                    lines.append("\(concept): \(value) \(unit)".trimmingCharacters(in: .whitespaces))
                }
            case "CONTAINER":
                if !concept.isEmpty { lines.append(concept) }
            default:
                break
            }
            walk(item.sequence(Tag(0x0040, 0xA730)) ?? [], depth: depth + 1, into: &lines)
        }
    }
}

import Foundation
