/// A worklist request: filters, sort and paging. Every field is optional; the default is every visible exam, newest
/// first, 50 at a time.
public struct WorklistQuery: Sendable, Hashable {
    /// What to sort by.
    public enum SortKey: String, Sendable, CaseIterable { case date, name, modality, status }
    /// Sort direction; `desc` is the exact reverse of `asc` (for name, modality and status, ascending puts the
    /// newest exam first among equal keys, so descending puts it last).
    public enum Order: String, Sendable, CaseIterable { case asc, desc }

    public var modality: String?
    /// YYYY-MM-DD, inclusive.
    public var dateFrom: String?
    /// YYYY-MM-DD, inclusive.
    public var dateTo: String?
    /// Fuzzy: the name contains this, ignoring case, width (全角/半角) and spaces, in any name form (alphabetic or 汉字).
    public var name: String?
    /// Exact: one whole form of the name ("张三" or "zhang san" for Zhang^San=张^三), after the same normalisation;
    /// the first two forms present count (alphabetic and ideographic; a third, phonetic form is not searched exactly).
    public var nameExact: String?
    public var patientId: String?
    public var accessionNumber: String?
    public var status: StudyStatus?
    public var visitType: VisitType?
    public var sort: SortKey = .date
    public var order: Order = .desc
    public var limit: Int = 50
    public var offset: Int = 0

    public init() {}

    /// The largest page a caller may ask for.
    public static let maximumLimit = 500
}

/// Normalises names and identifiers for search: NFKC (full-width → half-width), lower case, no spaces, no DICOM
/// component separators.
public enum SearchText {
    /// Between the forms of a name in its search key (`PatientNameFormatting.searchKey`); never inside one.
    public static let formSeparator: Character = "|"

    /// The search key of `text`: compatibility-folded (full-width to half-width), lower case, without spaces and
    /// name punctuation.
    public static func normalize(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        return String(folded.unicodeScalars.filter { scalar in
            !(scalar.properties.isWhitespace || scalar == "^" || scalar == "=" || scalar == "," || scalar == "·" || scalar == "|")
        }.map(Character.init))
    }
}

import Foundation
