import DicomCore

/// How a DICOM Person Name is shown and searched.
public enum PatientNameFormatting {
    /// The name as people read it: the ideographic form (张三) when present, else the alphabetic one ("Zhang San").
    public static func display(_ value: String) -> String {
        let name = PersonName(value)
        let group = name.ideographic.isEmpty ? name.alphabetic : name.ideographic
        let parts = [group.familyName, group.givenName, group.middleName].filter { !$0.isEmpty }
        let cjk = parts.joined().unicodeScalars.contains { $0.value >= 0x2E80 }
        return parts.joined(separator: cjk ? "" : " ")
    }

    /// The search key: every form of the name (alphabetic, ideographic, phonetic), each normalised, joined by
    /// `SearchText.formSeparator`, so that "zhang", "张" and "ＺＨＡＮＧ　ＳＡＮ" all find "Zhang^San=张^三" by
    /// substring, and "张三" or "zhang san" find it exactly (one whole form).
    public static func searchKey(_ value: String) -> String {
        let name = PersonName(value)
        let forms = [name.alphabetic, name.ideographic, name.phonetic].map { SearchText.normalize($0.components.joined()) }
        return forms.filter { !$0.isEmpty }.joined(separator: String(SearchText.formSeparator))
    }
}
