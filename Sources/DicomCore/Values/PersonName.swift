/// A Person Name (PN) value: up to three component groups — alphabetic, ideographic, phonetic — separated by `=`,
/// each with up to five components separated by `^` (PS3.5 §6.2.1).
///
/// ```swift
/// let name = PersonName("Wang^XiaoDong=王^小东=")
/// name.alphabetic.familyName    // "Wang"
/// name.ideographic.givenName    // "小东"
/// ```
public struct PersonName: Sendable, Hashable, CustomStringConvertible {
    /// One component group: family, given, middle, prefix, suffix.
    public struct ComponentGroup: Sendable, Hashable {
        /// The components as written, without trailing empty ones.
        public var components: [String]
        public var familyName: String { component(0) }
        public var givenName: String { component(1) }
        public var middleName: String { component(2) }
        public var namePrefix: String { component(3) }
        public var nameSuffix: String { component(4) }
        /// The group is empty.
        public var isEmpty: Bool { components.allSatisfy(\.isEmpty) }

        public init(components: [String]) {
            var c = components
            while let last = c.last, last.isEmpty { c.removeLast() }
            self.components = c
        }

        /// The group as encoded: components joined with `^`.
        public var encoded: String { components.joined(separator: "^") }

        func component(_ i: Int) -> String { i < components.count ? components[i] : "" }
    }

    /// The alphabetic (single-byte) representation.
    public var alphabetic: ComponentGroup
    /// The ideographic representation (e.g. Chinese characters).
    public var ideographic: ComponentGroup
    /// The phonetic representation.
    public var phonetic: ComponentGroup

    /// Parses a decoded PN value.
    public init(_ value: String) {
        let groups = value.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
        func group(_ i: Int) -> ComponentGroup {
            guard i < groups.count else { return ComponentGroup(components: []) }
            return ComponentGroup(components: groups[i].split(separator: "^", omittingEmptySubsequences: false).map { String($0).trimmingSpaces })
        }
        alphabetic = group(0)
        ideographic = group(1)
        phonetic = group(2)
    }

    /// Makes a name from its groups.
    public init(alphabetic: ComponentGroup, ideographic: ComponentGroup = .init(components: []), phonetic: ComponentGroup = .init(components: [])) {
        self.alphabetic = alphabetic
        self.ideographic = ideographic
        self.phonetic = phonetic
    }

    /// The value as encoded, without trailing empty groups.
    public var description: String {
        var groups = [alphabetic.encoded, ideographic.encoded, phonetic.encoded]
        while let last = groups.last, last.isEmpty { groups.removeLast() }
        return groups.joined(separator: "=")
    }
}
