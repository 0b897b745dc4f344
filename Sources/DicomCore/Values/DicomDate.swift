/// A DA value: a calendar date `YYYYMMDD` (PS3.5 §6.2). The legacy form `YYYY.MM.DD` is accepted on input.
public struct DicomDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Makes a date; returns nil when the month or day is out of range.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= DicomDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYYMMDD` or `YYYY.MM.DD`.
    public init?(_ text: String) {
        let digits = text.trimmingSpaces.filter { $0 != "." }
        guard digits.count == 8, digits.allSatisfy(\.isASCII), let v = Int(digits) else { return nil }
        self.init(year: v / 10000, month: v / 100 % 100, day: v % 100)
    }

    /// `YYYYMMDD`.
    public var description: String {
        let y = String(year), m = String(month), d = String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + (m.count < 2 ? "0" : "") + m + (d.count < 2 ? "0" : "") + d
    }

    public static func < (a: DicomDate, b: DicomDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
