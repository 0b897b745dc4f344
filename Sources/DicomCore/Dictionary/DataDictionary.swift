/// One entry of the DICOM data dictionary (PS3.6 §6, PS3.7 §E).
public struct DictionaryEntry: Sendable, Hashable {
    /// The tag; for repeating groups such as `(60xx,3000)`, the first tag of the range that resolves to this entry:
    /// `(6000,3000)`, or `(0028,0410)` for `(0028,04x0)` because `(0028,0400)` is an attribute of its own.
    public let tag: Tag
    /// The VR; where PS3.6 allows several ("US or SS"), the first, with the others in `alternativeVRs`.
    ///
    /// Item and delimitation tags `(FFFE,E000)`, `(FFFE,E00D)` and `(FFFE,E0DD)` have no VR (PS3.5 §7.5);
    /// their entries carry `.UN` as a placeholder and `hasVR` is false.
    public let vr: VR
    /// The other VRs PS3.6 allows for this tag.
    public let alternativeVRs: [VR]
    /// Value multiplicity, such as `1`, `1-n`, `2-2n`.
    public let vm: String
    /// The attribute's name, such as "Patient's Name". Empty for a few retired tags PS3.6 lists without one.
    public let name: String
    /// The keyword, such as `PatientName`. Empty for a few retired tags PS3.6 lists without one.
    public let keyword: String
    /// The attribute is retired.
    public let isRetired: Bool

    /// False for Item and delimitation tags, which PS3.5 §7.5 encodes without a VR; `vr` is then a placeholder.
    public var hasVR: Bool { !tag.isDelimiter }

    /// `vr` followed by `alternativeVRs`.
    public var allowedVRs: [VR] { [vr] + alternativeVRs }
}

/// The standard data dictionary: PS3.6 data elements and PS3.7 command elements.
///
/// ```swift
/// DataDictionary.entry(for: Tag(0x0010, 0x0010))?.keyword   // "PatientName"
/// DataDictionary.entry(for: Tag(0x6002, 0x3000))?.keyword   // "OverlayData", via (60xx,3000)
/// DataDictionary.entry(forKeyword: "PixelData")?.tag         // (7FE0,0010)
/// ```
///
/// `entry(for:)` looks in this order:
/// 1. the tag itself;
/// 2. group length `(gggg,0000)` of any group: a synthetic entry, VR UL, VM 1, name "Group Length"
///    (pydicom's name), keyword `GenericGroupLength`, or `PrivateGroupLength` in a private group (DCMTK's keywords);
/// 3. Private Creator `(odd gggg,0010-00FF)` (PS3.5 §7.8.1): a synthetic entry, VR LO, VM 1,
///    name "Private Creator", keyword `PrivateCreator`; other private tags are not in this dictionary (nil);
/// 4. repeating groups and elements with pydicom's masks: `(50xx,eeee)` curves and `(60xx,eeee)` overlays in the
///    even groups 5000-501E and 6000-601E (PS3.5 §7.6; pydicom also accepts 5020-50FE and 6020-60FE),
///    `(7Fxx,eeee)` in even groups 7F00-7FFE, and element masks such as `(0020,31xx)`, `(0028,04x0)`, `(1000,xxx0)`.
///
/// The table is parsed on first use; lookups are a binary search and are safe from any thread.
public enum DataDictionary {
    /// The entry for `tag`, including repeating-group entries such as `(50xx,xxxx)` and `(60xx,3000)`.
    ///
    /// Synthetic group length and Private Creator entries carry `tag` itself; repeating-group entries carry
    /// the first tag of their range (see `DictionaryEntry.tag`).
    public static func entry(for tag: Tag) -> DictionaryEntry? {
        let table = Self.table
        let value = tag.value
        if let index = table.index(of: value) {
            return table.entries[index]
        }
        if tag.isGroupLength {
            let isPrivate = tag.isPrivate
            return DictionaryEntry(
                tag: tag, vr: .UL, alternativeVRs: [], vm: "1", name: "Group Length",
                keyword: isPrivate ? "PrivateGroupLength" : "GenericGroupLength", isRetired: false)
        }
        if tag.isPrivateCreator {
            return DictionaryEntry(
                tag: tag, vr: .LO, alternativeVRs: [], vm: "1", name: "Private Creator",
                keyword: "PrivateCreator", isRetired: false)
        }
        if tag.group & 1 == 1 {
            return nil
        }
        for repeater in table.repeaters where repeater.matches(tag) {
            return repeater.entry
        }
        return nil
    }

    /// The entry with keyword `keyword`, such as `PatientName`; repeating entries carry the first tag of their range.
    ///
    /// The synthetic keywords `GenericGroupLength`, `PrivateGroupLength` and `PrivateCreator` name no single tag
    /// and are not found here.
    public static func entry(forKeyword keyword: String) -> DictionaryEntry? {
        let table = Self.table
        return table.byKeyword[keyword].map { table.allEntries[$0] }
    }

    /// Every entry: the tags in ascending order, then the repeating-group entries ordered by their first tag.
    public static var allEntries: [DictionaryEntry] { table.allEntries }

    /// Where the generated table comes from, such as "pydicom 3.0.2".
    public static var source: String { generatedSource }

    static let table = Table(parsing: generatedTable)
}

extension DataDictionary {
    /// A repeating entry: a tag matches when it equals `value` in every nibble that `mask` keeps (pydicom's rule).
    struct Repeater: Sendable {
        let value: UInt32
        let mask: UInt32
        /// The last group the repeating group may take: 501E or 601E for curves and overlays (PS3.5 §7.6).
        let lastGroup: UInt16
        let entry: DictionaryEntry

        func matches(_ tag: Tag) -> Bool {
            (tag.value ^ value) & mask == 0 && tag.group <= lastGroup
        }

        /// This repeater with `entry.tag` set to the first tag in its range that `entry(for:)` resolves to it:
        /// `(0028,0400)` is Transform Label, so `(0028,04x0)` becomes `(0028,0410)`, and `(1000,xxx0)` skips the
        /// group length `(1000,0000)` for `(1000,0010)`.
        func withRepresentativeTag(excluding table: Table) -> Repeater {
            // Spread the bits of a counter over the free nibbles, lowest first, so candidates come in tag order.
            let free = (0..<8).filter { mask >> ($0 * 4) & 0xF == 0 }
            for counter in 0..<UInt32(1) << (free.count * 4) {
                var candidate = value
                for (position, nibble) in free.enumerated() {
                    candidate |= (counter >> (position * 4) & 0xF) << (nibble * 4)
                }
                let tag = Tag(candidate)
                if matches(tag), !tag.isGroupLength, table.index(of: candidate) == nil {
                    let representative = DictionaryEntry(
                        tag: tag, vr: entry.vr, alternativeVRs: entry.alternativeVRs, vm: entry.vm, name: entry.name,
                        keyword: entry.keyword, isRetired: entry.isRetired)
                    return Repeater(value: value, mask: mask, lastGroup: lastGroup, entry: representative)
                }
            }
            preconditionFailure("repeating entry \(entry.keyword) has no tag of its own")
        }
    }

    /// The parsed table: exact tags in a sorted array with a parallel entry array, repeaters, and a keyword index.
    struct Table: Sendable {
        var tags: [UInt32] = []
        var entries: [DictionaryEntry] = []
        var repeaters: [Repeater] = []
        var allEntries: [DictionaryEntry] = []
        var byKeyword: [String: Int] = [:]

        init(parsing text: String) {
            GeneratedTable.forEachRow(in: text) { fields in
                precondition(fields.count == 6, "malformed dictionary row \(fields)")
                let key = fields[0]
                let vrs = fields[1].split(separator: "/").map { VR(rawValue: String($0))! }
                let isMask = key.contains("x")
                let value = UInt32(isMask ? String(key.map { $0 == "x" ? "0" : $0 }) : key, radix: 16)!
                let entry = DictionaryEntry(
                    tag: Tag(value), vr: vrs.first ?? .UN, alternativeVRs: Array(vrs.dropFirst()), vm: fields[2],
                    name: fields[5], keyword: fields[4], isRetired: fields[3] == "R")
                if isMask {
                    var mask: UInt32 = 0
                    for character in key.utf8 {
                        mask = mask << 4 | (character == UInt8(ascii: "x") ? 0 : 0xF)
                    }
                    let group = UInt16(value >> 16)
                    let groupRepeats = mask & 0xFFFF_0000 != 0xFFFF_0000
                    let lastGroup: UInt16 = (group == 0x5000 || group == 0x6000) ? group + 0x1E : 0xFFFF
                    // Repeating groups are even groups (PS3.5 §7.6); odd ones are private.
                    repeaters.append(Repeater(
                        value: value, mask: groupRepeats ? mask | 0x0001_0000 : mask, lastGroup: lastGroup, entry: entry))
                } else {
                    tags.append(value)
                    entries.append(entry)
                }
            }
            for index in repeaters.indices {
                repeaters[index] = repeaters[index].withRepresentativeTag(excluding: self)
            }
            allEntries = entries + repeaters.map(\.entry)
            for (index, entry) in allEntries.enumerated() where !entry.keyword.isEmpty {
                byKeyword[entry.keyword] = index
            }
        }

        func index(of value: UInt32) -> Int? {
            var low = 0
            var high = tags.count
            while low < high {
                let middle = (low + high) / 2
                if tags[middle] < value {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low < tags.count && tags[low] == value ? low : nil
        }
    }
}
