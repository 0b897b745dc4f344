import Foundation

/// Exact matching of what a patient types against what the hospital stored: full-width and half-width forms are
/// the same (NFKC), spaces do not count, letters match in any case. Nothing fuzzy: "exact, normalised".
public enum PatientTextMatching {
    /// The comparison form of an identifier (accession number, Patient ID): NFKC, no white space, upper case.
    public static func identifier(_ text: String) -> String {
        String(text.precomposedStringWithCompatibilityMapping.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
            .uppercased()
    }

    /// Whether a typed name is exactly the patient's name in one of its forms. `displayName` is what the index shows
    /// (张三, or "Zhang San" when there is no ideographic form); `searchKey` is every form, each normalised, joined by
    /// `SearchText.formSeparator` (`PatientNameFormatting.searchKey`), so the alphabetic spelling of a name shown in
    /// Chinese characters matches too.
    public static func nameMatches(typed: String, displayName: String, searchKey: String) -> Bool {
        let wanted = SearchText.normalize(typed)
        guard !wanted.isEmpty else { return false }
        if wanted == SearchText.normalize(displayName) { return true }
        return searchKey.split(separator: SearchText.formSeparator).contains { $0 == wanted }
    }

    /// A date typed as `YYYYMMDD` or `YYYY-MM-DD` (full-width digits too), as `YYYYMMDD`; nil when it is not one.
    public static func compactDate(_ text: String) -> String? {
        let digits = identifier(text).filter { $0 != "-" && $0 != "/" && $0 != "." }
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let year = Int(digits.prefix(4))!, month = Int(digits.dropFirst(4).prefix(2))!, day = Int(digits.suffix(2))!
        guard (1...12).contains(month), day >= 1,
              day <= [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] else { return nil }
        return digits
    }

    /// A stored date (`YYYY-MM-DD` in the index, or DICOM `YYYYMMDD`) as `YYYYMMDD`.
    static func storedDate(_ text: String) -> String {
        text.filter { $0.isASCII && $0.isNumber }
    }
}

/// Partly hidden patient names for pages reachable by a link: the first character stays, every other one becomes
/// `*` (张三 → 张*, 欧阳娜娜 → 欧***, Zhang San → Z*******).
public enum PatientNameMask {
    public static func mask(_ name: String) -> String {
        let characters = name.filter { !$0.isWhitespace }
        guard let first = characters.first else { return "" }
        return String(first) + String(repeating: "*", count: max(characters.count - 1, 1))
    }
}

/// Times in the patient-access API: ISO 8601 in UTC, to the second (`2026-11-15T08:30:00Z`).
public enum APITime {
    public static func string(_ epochSeconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }

    public static func string(_ epochSeconds: Int64?) -> String? {
        epochSeconds.map { string($0) }
    }

    /// Parses an ISO 8601 timestamp with a time zone (fractional seconds allowed).
    public static func parse(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}
