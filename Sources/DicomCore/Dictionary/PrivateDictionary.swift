/// Private data elements that vendors have published, keyed by Private Creator (PS3.5 §7.8.1).
///
/// A private element `(gggg,bbee)` belongs to the creator whose name is the value of `(gggg,00bb)`; the block `bb`
/// varies from file to file, so an element is known by its creator, group and low byte `ee`:
///
/// ```swift
/// // (0019,0010) = "GEMS_ACQU_01" reserves block 10 of group 0019.
/// PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019, 0x1023))?.name   // "Table Speed [mm/rotation]"
/// PrivateDictionary.entry(creator: "GEMS_ACQU_01", tag: Tag(0x0019, 0x1123))?.name   // the same, block 11
/// ```
///
/// The data is GDCM's private dictionary as pydicom 3.0.2 ships it (`pydicom/_private_dict.py`). `entry(creator:tag:)`
/// tries pydicom's key forms in pydicom's order:
/// 1. `GGGGbbEE`, one block only: a few ELSCINT1 tags that GDCM lists for block 10 apart from their general entry;
/// 2. `GGGGxxEE`, any block: nearly every entry. GDCM also lists some tags as `GGGG00EE` (Canon's
///    `TOSHIBA_MEC_MR3^10` and others); these are matched like `GGGGxxEE`, as GDCM keys private tags by
///    group, creator and the element's low byte. pydicom would match them only at the literal tag `(GGGG,00EE)`,
///    which is a Private Creator or a reserved element;
/// 3. `GGxxxxEE`, any block in any group `GG00`-`GGFF`: PAPYRUS 3.0's `60xxxxEE` and DLX's `60xx`/`70xx` entries.
///
/// Eleven whole-block entries `GGGGbbxx` (mostly GE's "Private Element Creator") are left out: pydicom never
/// matches them, and the Private Creator element itself is in `DataDictionary`. With them goes `BioPri3D`,
/// which has no other entries.
///
/// The table is parsed on first use; lookups are two hash lookups or a few more, and are safe from any thread.
public enum PrivateDictionary {
    /// The entry for the private element `tag`, `(gggg,bbee)` with block `bb` in 10-FF, whose block `(gggg,00bb)`
    /// names `creator`.
    ///
    /// `creator` must match the dictionary exactly apart from trailing spaces (PS3.5 §6.2 pads LO values with them):
    /// GDCM has creators that differ only in case, such as `HOLOGIC` and `Hologic`. Returns nil for an unknown
    /// creator or element, and for elements `(gggg,0000-0FFF)`, which no creator reserves.
    ///
    /// The entry carries `tag` itself. Its `keyword` is empty: GDCM's names are neither unique nor identifiers
    /// (hundreds are "Unknown", a few hundred are empty). `vr` and `alternativeVRs` follow `DataDictionary`:
    /// FDMS 1.0's Raw Data `(0027,xxA3)` is US or SS.
    public static func entry(creator: String, tag: Tag) -> DictionaryEntry? {
        guard tag.element >= 0x1000 else { return nil }
        let table = Self.table
        guard let elements = table.byCreator[creator] ?? table.byCreator[trimmingTrailingSpaces(creator)] else {
            return nil
        }
        let group = UInt32(tag.group)
        let low = UInt32(tag.element & 0xFF)
        let index = elements.byTag[tag.value]
            ?? elements.byGroupElement[group << 8 | low]
            ?? elements.byGroupHighElement[(group & 0xFF00) << 8 | low]
        return index.map { table.rows[$0].entry(for: tag) }
    }

    /// Where the table comes from, such as "GDCM via pydicom 3.0.2".
    public static var source: String { generatedSource }

    static let table = Table(parsing: generatedTable)

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        let kept = text.utf8.reversed().drop { $0 == UInt8(ascii: " ") }.count
        return String(Substring(text.utf8.prefix(kept)))
    }
}

extension PrivateDictionary {
    /// What one table row says about an element, whichever block it turns up in.
    struct Row: Sendable {
        let vrs: [VR]
        let vm: String
        let name: String
        let isRetired: Bool

        func entry(for tag: Tag) -> DictionaryEntry {
            DictionaryEntry(
                tag: tag, vr: vrs[0], alternativeVRs: Array(vrs.dropFirst()), vm: vm, name: name, keyword: "",
                isRetired: isRetired)
        }
    }

    /// One creator's elements, indexed by the three key forms.
    struct Elements: Sendable {
        /// `GGGGbbEE` rows by the full tag.
        var byTag: [UInt32: Int] = [:]
        /// `GGGGxxEE` rows by `GGGG << 8 | EE`.
        var byGroupElement: [UInt32: Int] = [:]
        /// `GGxxxxEE` rows by `GG00 << 8 | EE`.
        var byGroupHighElement: [UInt32: Int] = [:]
    }

    /// The parsed table: rows in table order and, per creator, indexes into them.
    struct Table: Sendable {
        var rows: [Row] = []
        var byCreator: [String: Elements] = [:]

        init(parsing text: String) {
            GeneratedTable.forEachRow(in: text) { fields in
                precondition(fields.count == 6, "malformed private dictionary row \(fields)")
                let key = Array(fields[1].utf8)
                precondition(key.count == 8, "malformed private dictionary key \(fields[1])")
                let x = UInt8(ascii: "x")
                let hex = { (range: Range<Int>) in UInt32(String(decoding: key[range], as: UTF8.self), radix: 16)! }
                let vrs = fields[2].split(separator: "/").map { VR(rawValue: String($0))! }
                precondition(!vrs.isEmpty, "private dictionary row without VR \(fields)")
                let index = rows.count
                rows.append(Row(vrs: vrs, vm: fields[3], name: fields[5], isRetired: fields[4] == "R"))
                let element = hex(6..<8)
                // The generator writes only these three forms, and `00` in the block position for "any block".
                if key[2] == x {
                    byCreator[fields[0], default: Elements()].byGroupHighElement[hex(0..<2) << 16 | element] = index
                } else if key[4] == x || hex(4..<6) == 0 {
                    byCreator[fields[0], default: Elements()].byGroupElement[hex(0..<4) << 8 | element] = index
                } else {
                    byCreator[fields[0], default: Elements()].byTag[hex(0..<8)] = index
                }
            }
        }

        /// The number of rows, which is the number of entries.
        var count: Int { rows.count }
    }
}
