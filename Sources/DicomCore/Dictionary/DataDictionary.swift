/// One entry of the DICOM data dictionary (PS3.6 §6, PS3.7 §E).
public struct DictionaryEntry: Sendable, Hashable {
    /// The tag; for repeating groups such as `(60xx,3000)`, the first tag of the range (`xx` as `00`).
    public let tag: Tag
    /// The VR; where PS3.6 allows several ("US or SS"), the first, with the others in `alternativeVRs`.
    public let vr: VR
    /// The other VRs PS3.6 allows for this tag.
    public let alternativeVRs: [VR]
    /// Value multiplicity, such as `1`, `1-n`, `2-2n`.
    public let vm: String
    /// The attribute's name, such as "Patient's Name".
    public let name: String
    /// The keyword, such as `PatientName`.
    public let keyword: String
    /// The attribute is retired.
    public let isRetired: Bool
}

/// The standard data dictionary. Stub until the generated dictionary lands.
public enum DataDictionary {
    /// The entry for `tag`, including repeating-group entries such as `(50xx,xxxx)` and `(60xx,3000)`.
    public static func entry(for tag: Tag) -> DictionaryEntry? { nil }
    /// The entry with keyword `keyword`.
    public static func entry(forKeyword keyword: String) -> DictionaryEntry? { nil }
}
