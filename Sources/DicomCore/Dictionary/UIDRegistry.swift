/// The kind of a registered UID, as PS3.6 Table A-1 names it: "Transfer Syntax", "SOP Class", ...
///
/// A string literal works wherever a `UIDType` is expected: `UIDRegistry.all(ofType: "Coding Scheme")`.
public struct UIDType: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The type as PS3.6 spells it.
    public let rawValue: String

    /// Creates a type from its PS3.6 spelling.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates a type from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    /// Transfer syntaxes (PS3.5 §10).
    public static let transferSyntax: UIDType = "Transfer Syntax"
    /// SOP classes (PS3.4).
    public static let sopClass: UIDType = "SOP Class"
    /// Meta SOP classes, such as Basic Grayscale Print Management Meta SOP Class.
    public static let metaSOPClass: UIDType = "Meta SOP Class"
    /// Well-known SOP instances, such as the Printer SOP Instance.
    public static let wellKnownSOPInstance: UIDType = "Well-known SOP Instance"
    /// Well-known frames of reference, such as Talairach Brain Atlas.
    public static let wellKnownFrameOfReference: UIDType = "Well-known frame of reference"
    /// Coding schemes (PS3.16).
    public static let codingScheme: UIDType = "Coding Scheme"
    /// Application context names, such as the DICOM Application Context Name (PS3.7 Annex A).
    public static let applicationContextName: UIDType = "Application Context Name"
    /// Service classes.
    public static let serviceClass: UIDType = "Service Class"
}

/// One registered DICOM UID (PS3.6 Annex A).
public struct UIDEntry: Sendable, Hashable {
    /// The UID, such as `1.2.840.10008.1.2.1`.
    public let uid: String
    /// The UID's name, such as "Explicit VR Little Endian".
    public let name: String
    /// What kind of UID it is, such as `.transferSyntax`.
    public let type: UIDType
    /// The keyword, such as `ExplicitVRLittleEndian`; empty for two retired SOP classes PS3.6 lists without one.
    public let keyword: String
    /// The UID is retired.
    public let isRetired: Bool
    /// PS3.6's remark, such as "Default Transfer Syntax for DICOM"; often empty.
    public let info: String
}

/// The registry of standard DICOM UIDs: transfer syntaxes, SOP classes, well-known instances and more.
///
/// ```swift
/// UIDRegistry.entry(for: "1.2.840.10008.1.2.4.50")?.name     // "JPEG Baseline (Process 1)"
/// UIDRegistry.entry(forKeyword: "CTImageStorage")?.uid         // "1.2.840.10008.5.1.4.1.1.2"
/// UIDRegistry.all(ofType: .transferSyntax).count
/// ```
///
/// The table is parsed on first use; lookups are safe from any thread.
public enum UIDRegistry {
    /// The entry for `uid`. Trailing NUL or space padding (PS3.5 §9.1) is ignored.
    public static func entry(for uid: String) -> UIDEntry? {
        let table = Self.table
        if let index = table.byUID[uid] {
            return table.entries[index]
        }
        let trimmed = uid.utf8.reversed().drop { $0 == 0 || $0 == UInt8(ascii: " ") }.count
        guard trimmed < uid.utf8.count else { return nil }
        let unpadded = String(Substring(uid.utf8.prefix(trimmed)))
        return table.byUID[unpadded].map { table.entries[$0] }
    }

    /// The entry with keyword `keyword`, such as `ExplicitVRLittleEndian`.
    public static func entry(forKeyword keyword: String) -> UIDEntry? {
        let table = Self.table
        return table.byKeyword[keyword].map { table.entries[$0] }
    }

    /// Every entry of type `type`, in UID order.
    public static func all(ofType type: UIDType) -> [UIDEntry] {
        table.entries.filter { $0.type == type }
    }

    /// Every registered UID, ordered by its numeric components.
    public static var allEntries: [UIDEntry] { table.entries }

    static let table = Table(parsing: generatedTable)

    /// The parsed table with UID and keyword indexes.
    struct Table: Sendable {
        var entries: [UIDEntry] = []
        var byUID: [String: Int] = [:]
        var byKeyword: [String: Int] = [:]

        init(parsing text: String) {
            GeneratedTable.forEachRow(in: text) { fields in
                precondition(fields.count == 6, "malformed UID row \(fields)")
                let entry = UIDEntry(
                    uid: fields[0], name: fields[4], type: UIDType(rawValue: fields[1]), keyword: fields[3],
                    isRetired: fields[2] == "R", info: fields[5])
                byUID[entry.uid] = entries.count
                if !entry.keyword.isEmpty {
                    byKeyword[entry.keyword] = entries.count
                }
                entries.append(entry)
            }
        }
    }
}
