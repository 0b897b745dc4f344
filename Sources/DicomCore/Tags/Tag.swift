/// A DICOM attribute tag: a (group, element) pair, PS3.5 §7.1.
///
/// Tags order by group, then element, which is the order elements appear in an encoded data set.
///
/// ```swift
/// let tag = Tag(0x0010, 0x0010)   // Patient's Name
/// print(tag)                       // (0010,0010)
/// ```
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The group number.
    public var group: UInt16
    /// The element number within the group.
    public var element: UInt16

    /// Creates a tag from its group and element numbers.
    @inlinable
    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// Creates a tag from its 32-bit form `0xGGGGEEEE`.
    @inlinable
    public init(_ value: UInt32) {
        self.group = UInt16(truncatingIfNeeded: value >> 16)
        self.element = UInt16(truncatingIfNeeded: value)
    }

    /// The tag as `0xGGGGEEEE`.
    @inlinable
    public var value: UInt32 { UInt32(group) << 16 | UInt32(element) }

    /// Private tags have an odd group number (PS3.5 §7.8), except groups 0001, 0003, 0005 and 0007 which are reserved.
    public var isPrivate: Bool { group & 1 == 1 && group > 0x0008 }

    /// A Private Creator Data Element, `(gggg,0010-00FF)` in a private group (PS3.5 §7.8.1).
    public var isPrivateCreator: Bool { isPrivate && element >= 0x0010 && element <= 0x00FF }

    /// For a private data element `(gggg,xxee)`, the tag of the Private Creator that reserves its block: `(gggg,00xx)`.
    public var privateCreatorTag: Tag? {
        guard isPrivate, element >= 0x1000 else { return nil }
        return Tag(group, element >> 8)
    }

    /// Group length elements `(gggg,0000)`.
    public var isGroupLength: Bool { element == 0 }

    /// Item, Item Delimitation and Sequence Delimitation tags in group FFFE (PS3.5 §7.5).
    public var isDelimiter: Bool { group == 0xFFFE }

    /// `(GGGG,EEEE)` in upper-case hexadecimal, as dcmdump prints it.
    public var description: String { "(\(Tag.hex4(group)),\(Tag.hex4(element)))" }

    /// `GGGGEEEE`, the key form the DICOM JSON Model uses (PS3.18 §F.2.1.1).
    public var jsonKey: String { Tag.hex4(group) + Tag.hex4(element) }

    @inlinable
    public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.value < rhs.value }

    static func hex4(_ v: UInt16) -> String {
        String(unsafeUninitializedCapacity: 4) { buffer in
            for i in 0..<4 {
                let nibble = UInt8(truncatingIfNeeded: v >> (12 - 4 * i)) & 0xF
                buffer[i] = nibble < 10 ? 0x30 + nibble : 0x37 + nibble
            }
            return 4
        }
    }
}

extension Tag {
    /// Parses `GGGGEEEE`, `(GGGG,EEEE)` or `GGGG,EEEE`.
    public init?(parsing text: some StringProtocol) {
        let hex = String(text.filter { $0.isHexDigit })
        guard hex.count == 8, text.count <= 11, let v = UInt32(hex, radix: 16) else { return nil }
        self.init(v)
    }
}
