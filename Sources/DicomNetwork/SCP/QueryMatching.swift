import DicomCore

/// Attribute matching for C-FIND, C-MOVE and C-GET identifiers (PS3.4 §C.2.2.2).
///
/// Each key with a value is one of: single value matching (§C.2.2.2.1; PN ignores case), list of UID matching
/// (§C.2.2.2.2), universal matching (an empty value or `*`, §C.2.2.2.3), wildcard matching with `*` and `?`
/// (§C.2.2.2.4, only for string VRs that allow it), or range matching `A-B`, `A-`, `-B` for DA, TM and DT
/// (§C.2.2.2.5). A multi-valued attribute matches when any of its values does. An entity without the attribute
/// matches only universal keys.
///
/// ```swift
/// QueryMatching.matches(key: "2026*", vr: .DA, values: ["20261130"])      // false: no wildcards on DA
/// QueryMatching.matches(key: "20261101-", vr: .DA, values: ["20261130"])  // true
/// ```
public enum QueryMatching {
    /// Tags that steer the query rather than select entities.
    static let controlTags: Set<Tag> = [.specificCharacterSet, Tag(0x0008, 0x0052), Tag(0x0008, 0x0056)]

    /// VRs on which `*` and `?` are wildcards (PS3.4 §C.2.2.2.4).
    static let wildcardVRs: Set<VR> = [.AE, .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UR, .UT]

    /// Whether one key value selects an entity whose attribute has `values` (empty: absent or zero length).
    public static func matches(key: String, vr: VR, values: [String]) -> Bool {
        if key.isEmpty || key == "*" { return true }
        if values.isEmpty { return false }
        if vr == .UI, key.contains("\\") {
            let list = Set(key.split(separator: "\\").map(String.init))
            return values.contains { list.contains($0) }
        }
        if (vr == .DA || vr == .TM || vr == .DT), key.contains("-") {
            let parts = key.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: " ") }
            return values.contains { inRange($0, lower: parts[0], upper: parts[1], vr: vr) }
        }
        if wildcardVRs.contains(vr), key.contains("*") || key.contains("?") {
            let pattern = Array(vr == .PN ? key.lowercased() : key)
            return values.contains { wildcard(pattern, Array(vr == .PN ? $0.lowercased() : $0)) }
        }
        if vr == .PN { return values.contains { $0.lowercased() == key.lowercased() } }
        if vr == .TM { return values.contains { normalizedTime($0) == normalizedTime(key) } }
        return values.contains(key)
    }

    /// `lower <= value <= upper`, either bound optional. Times compare by their digits (HHMMSS.FFFFFF), so `0930`
    /// equals `093000`; dates and date-times compare as strings of the same fixed layout.
    static func inRange(_ value: String, lower: String, upper: String, vr: VR) -> Bool {
        let v = vr == .TM ? normalizedTime(value) : value
        if !lower.isEmpty, v < (vr == .TM ? normalizedTime(lower) : lower) { return false }
        if !upper.isEmpty {
            // An upper bound covers its whole last unit: `-1200` includes 12:00:59, `-20261130` the whole day for DT.
            let u = vr == .TM ? normalizedTime(upper, filling: "9") : vr == .DT ? upper + String(repeating: "9", count: max(0, 21 - upper.count)) : upper
            if v > u { return false }
        }
        return true
    }

    /// A TM value as `HHMMSS.FFFFFF`, missing digits filled with `filling`; colons (ACR-NEMA style) dropped.
    static func normalizedTime(_ t: String, filling: Character = "0") -> String {
        var digits = t.filter { $0 != ":" }
        var fraction = ""
        if let dot = digits.firstIndex(of: ".") {
            fraction = String(digits[digits.index(after: dot)...])
            digits = String(digits[..<dot])
        }
        digits += String(repeating: filling, count: max(0, 6 - digits.count))
        fraction += String(repeating: filling, count: max(0, 6 - fraction.count))
        return digits + "." + fraction
    }

    /// `*` matches any run of characters (also none), `?` exactly one.
    static func wildcard(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1; t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Whether every key of `identifier` with a value selects `entity` (control tags and sequences are skipped).
    public static func matches(_ identifier: DataSet, _ entity: DataSet) -> Bool {
        for element in identifier.elements where !controlTags.contains(element.tag) && element.vr != .SQ {
            guard element.tag.group != 0x0002 else { continue }
            let keys = identifier.strings(element.tag)
            guard let key = element.vr == .UI ? keys.joined(separator: "\\") as String? : keys.first, !key.isEmpty else { continue }
            if !matches(key: key, vr: element.vr, values: entity.strings(element.tag)) { return false }
        }
        return true
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
