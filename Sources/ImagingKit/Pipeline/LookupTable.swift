import DicomCore

/// A Modality, VOI or Palette Color lookup table (PS3.3 §C.11.1, §C.11.2, §C.7.6.3.1.5):
/// input values from `firstMapped` map to `entries`; inputs below the first or above the last entry clamp to it.
public struct LookupTable: Sendable, Hashable {
    /// The input value that maps to `entries[0]` (LUT Descriptor value 2).
    public var firstMapped: Int
    /// Bits per entry (LUT Descriptor value 3), widened when the data hold larger values than it admits.
    public var bits: Int
    public var entries: [Int]
    /// LUT Explanation (0028,3003), when given.
    public var explanation: String?

    public init(firstMapped: Int, bits: Int, entries: [Int], explanation: String? = nil) {
        self.firstMapped = firstMapped
        self.bits = bits
        self.entries = entries
        self.explanation = explanation
    }

    /// The largest value an entry can hold: 2^bits − 1.
    public var maxOutput: Int { (1 << bits) - 1 }

    /// The entry for input `x`, clamped to the first and last entries.
    @inlinable public func callAsFunction(_ x: Int) -> Int {
        let i = x - firstMapped
        if i <= 0 { return entries[0] }
        if i >= entries.count { return entries[entries.count - 1] }
        return entries[i]
    }

    /// Reads a table from a LUT Descriptor and LUT Data: 0 entries in the descriptor means 65536 (PS3.3 §C.11.1.1);
    /// a first mapped value written as US for signed pixel data is read as signed; 8-bit entries packed two to a
    /// 16-bit word (as some writers do for OW data) are unpacked.
    public static func read(descriptor: [Int], descriptorIsSigned: Bool, data element: DataElement?, signedInput: Bool,
                            explanation: String? = nil) throws(ImagingError) -> LookupTable {
        guard descriptor.count == 3 else { throw ImagingError(.invalidLookupTable, "LUT Descriptor has \(descriptor.count) values") }
        let count = descriptor[0] == 0 ? 65536 : descriptor[0]
        var first = descriptor[1]
        if signedInput && !descriptorIsSigned && first > 32767 { first -= 65536 }
        var bits = descriptor[2]
        guard (1...16).contains(bits) else { throw ImagingError(.invalidLookupTable, "LUT Descriptor bits \(bits)") }
        guard let element = element, let bytes = element.bytes, bytes.count >= 2 else { throw ImagingError(.invalidLookupTable, "LUT Data missing") }
        var words: [Int] = []
        words.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let w = Int(bytes[i]) | Int(bytes[i + 1]) << 8
            words.append(element.vr == .SS ? Int(Int16(truncatingIfNeeded: w)) : w)
            i += 2
        }
        var entries: [Int]
        if words.count >= count {
            entries = Array(words.prefix(count))
        } else if bits == 8 && bytes.count >= count {
            entries = bytes.prefix(count).map(Int.init)
        } else {
            throw ImagingError(.invalidLookupTable, "LUT Data has \(words.count) entries, descriptor says \(count)")
        }
        if let top = entries.max(), top > (1 << bits) - 1 { bits = top <= 0xFF ? 8 : 16 }
        if entries.contains(where: { $0 < 0 }) { entries = entries.map { max($0, 0) } }
        return LookupTable(firstMapped: first, bits: bits, entries: entries, explanation: explanation)
    }

    /// Reads the table of a Modality or VOI LUT Sequence item (LUT Descriptor (0028,3002), LUT Data (0028,3006)).
    static func read(item: DataSet, signedInput: Bool) throws(ImagingError) -> LookupTable {
        try read(descriptor: item.ints(.lutDescriptor), descriptorIsSigned: item[.lutDescriptor]?.vr == .SS,
                 data: item[.lutData], signedInput: signedInput, explanation: item.string(.lutExplanation))
    }
}
