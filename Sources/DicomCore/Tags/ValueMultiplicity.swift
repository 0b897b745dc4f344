/// Value Multiplicity: how many values an attribute holds (PS3.5 §6.4), such as `1`, `1-3`, `1-n`, `2-2n`.
public struct ValueMultiplicity: Sendable, Hashable, CustomStringConvertible {
    /// The fewest values.
    public let minimum: Int
    /// The most values; nil for `n`.
    public let maximum: Int?
    /// For `2-2n`, `3-3n`: the count must be a multiple of this.
    public let step: Int

    /// Parses the notation of PS3.6: `1`, `1-3`, `1-n`, `2-2n`, `3-3n`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-").map { String($0).trimmingSpaces }
        guard let low = Int(parts.first ?? "") else { return nil }
        switch parts.count {
        case 1:
            (minimum, maximum, step) = (low, low, 1)
        case 2 where parts[1].hasSuffix("n"):
            let factor = parts[1] == "n" ? 1 : Int(parts[1].dropLast())
            guard let factor, factor >= 1 else { return nil }
            (minimum, maximum, step) = (low, nil, factor)
        case 2:
            guard let high = Int(parts[1]), high >= low else { return nil }
            (minimum, maximum, step) = (low, high, 1)
        default:
            return nil
        }
    }

    /// Whether `count` values conform.
    public func allows(_ count: Int) -> Bool {
        guard count >= minimum else { return false }
        if let maximum, count > maximum { return false }
        return count % step == 0
    }

    public var description: String {
        guard let maximum else { return step == 1 ? "\(minimum)-n" : "\(minimum)-\(step)n" }
        return maximum == minimum ? "\(minimum)" : "\(minimum)-\(maximum)"
    }
}
