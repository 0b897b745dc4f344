import Foundation

/// Typed reading of values. Each accessor returns nil when the element is absent, empty or not of a fitting VR.
extension DataSet {
    /// The first value of a string element, decoded with the data set's character set and trimmed of padding.
    public func string(_ tag: Tag) -> String? {
        strings(tag).first
    }

    /// All values of a string element. Text VRs (LT, ST, UT, UR) have exactly one value.
    public func strings(_ tag: Tag) -> [String] {
        strings(tag, characterSet: characterSet)
    }

    func strings(_ tag: Tag, characterSet: SpecificCharacterSet) -> [String] {
        guard let e = self[tag], let bytes = e.bytes, !bytes.isEmpty else { return [] }
        return DataSet.decodeStrings(bytes, vr: e.vr, characterSet: characterSet)
    }

    /// Decodes the values of a string element: the character set applies where the VR uses it (PS3.5 §6.1.2.3).
    static func decodeStrings(_ bytes: ArraySlice<UInt8>, vr: VR, characterSet: SpecificCharacterSet) -> [String] {
        // Fast path: ASCII without ESC reads the same in every character set, so split and trim the bytes themselves.
        if !bytes.contains(where: { $0 >= 0x80 || $0 == 0x1B }) {
            return asciiStrings(bytes, vr: vr)
        }
        let text: String
        if vr.usesSpecificCharacterSet {
            text = characterSet.decode(bytes, vr: vr)
        } else {
            text = String(decoding: bytes, as: UTF8.self)
        }
        if vr.isSingleValuedText {
            return [trimTrailing(text)]
        }
        let values = text.split(separator: "\\", omittingEmptySubsequences: false)
        return values.map { vr == .PN ? trimTrailing(String($0)) : String($0).trimmingSpaces }
    }

    private static func asciiStrings(_ bytes: ArraySlice<UInt8>, vr: VR) -> [String] {
        @inline(__always) func isPad(_ b: UInt8) -> Bool { b == 0x20 || b == 0 }
        func value(_ v: ArraySlice<UInt8>, leading: Bool) -> String {
            var lo = v.startIndex, hi = v.endIndex
            while hi > lo && isPad(v[hi - 1]) { hi -= 1 }
            if leading { while lo < hi && isPad(v[lo]) { lo += 1 } }
            return String(decoding: v[lo..<hi], as: UTF8.self)
        }
        if vr.isSingleValuedText { return [value(bytes, leading: false)] }
        return bytes.split(separator: 0x5C, omittingEmptySubsequences: false).map { value($0, leading: vr != .PN) }
    }

    private static func trimTrailing(_ s: String) -> String {
        var scalars = s.unicodeScalars[...]
        while let last = scalars.last, last == " " || last == "\0" { scalars = scalars.dropLast() }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// The first value of a UI element, without its NUL padding.
    public func uid(_ tag: Tag) -> String? { string(tag) }

    /// The first value as an integer: US, SS, UL, SL, UV, SV, or an IS string.
    public func int(_ tag: Tag) -> Int? { ints(tag).first }

    /// All values as integers.
    public func ints(_ tag: Tag) -> [Int] {
        guard let e = self[tag], let b = e.bytes else { return [] }
        switch e.vr {
        case .US, .OW: return b.littleEndianValues(UInt16.self).map(Int.init)
        case .SS: return b.littleEndianValues(Int16.self).map(Int.init)
        case .UL, .OL: return b.littleEndianValues(UInt32.self).map(Int.init)
        case .SL: return b.littleEndianValues(Int32.self).map(Int.init)
        case .UV, .OV: return b.littleEndianValues(UInt64.self).compactMap { Int(exactly: $0) }
        case .SV: return b.littleEndianValues(Int64.self).map(Int.init)
        case .IS, .DS: return strings(tag).compactMap { Int($0) ?? Double($0).flatMap { Int(exactly: $0) } }
        default: return []
        }
    }

    /// The first value as a double: FL, FD, DS or IS, or any integer VR.
    public func double(_ tag: Tag) -> Double? { doubles(tag).first }

    /// All values as doubles.
    public func doubles(_ tag: Tag) -> [Double] {
        guard let e = self[tag], let b = e.bytes else { return [] }
        switch e.vr {
        case .FL, .OF: return b.littleEndianValues(UInt32.self).map { Double(Float(bitPattern: $0)) }
        case .FD, .OD: return b.littleEndianValues(UInt64.self).map { Double(bitPattern: $0) }
        case .DS, .IS: return strings(tag).compactMap { Double($0) }
        default: return ints(tag).map(Double.init)
        }
    }

    /// The first value of a DA element.
    public func date(_ tag: Tag) -> DicomDate? { string(tag).flatMap(DicomDate.init) }

    /// The first value of a PN element.
    public func personName(_ tag: Tag) -> PersonName? { string(tag).map(PersonName.init) }

    /// The values of an AT element.
    public func tags(_ tag: Tag) -> [Tag] {
        guard let e = self[tag], e.vr == .AT, let b = e.bytes else { return [] }
        let halves = b.littleEndianValues(UInt16.self)
        return stride(from: 0, to: halves.count - 1, by: 2).map { Tag(halves[$0], halves[$0 + 1]) }
    }

    /// The items of a sequence element.
    public func sequence(_ tag: Tag) -> [DataSet]? { self[tag]?.items }

    /// The Private Creator that reserves the block of private element `tag` (PS3.5 §7.8.1).
    public func privateCreator(of tag: Tag) -> String? {
        tag.privateCreatorTag.flatMap { string($0) }
    }

    /// The tag of element `elementOffset` (00-FF) in the block that `creator` reserves in private `group`, if reserved.
    public func privateTag(creator: String, group: UInt16, elementOffset: UInt8) -> Tag? {
        for block in UInt16(0x10)...0xFF where string(Tag(group, block)) == creator {
            return Tag(group, block << 8 | UInt16(elementOffset))
        }
        return nil
    }
}

/// Typed writing of values.
extension DataSet {
    /// Sets string values, encoded with the data set's character set, padded to even length.
    public mutating func setStrings(_ values: [String], for tag: Tag, vr: VR? = nil) throws(DicomError) {
        let vr = vr ?? DataDictionary.entry(for: tag)?.vr ?? .UN
        var bytes: [UInt8] = []
        let joined = values.joined(separator: "\\")
        if vr.usesSpecificCharacterSet && tag != .specificCharacterSet {
            bytes = try characterSet.encode(joined, vr: vr)
        } else {
            bytes = Array(joined.utf8)
        }
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        set(DataElement(tag: tag, vr: vr, bytes: bytes))
    }

    /// Sets one string value.
    public mutating func setString(_ value: String, for tag: Tag, vr: VR? = nil) throws(DicomError) {
        try setStrings([value], for: tag, vr: vr)
    }

    /// Sets integer values of a binary VR (US, SS, UL, SL, UV, SV) or of IS.
    public mutating func setInts(_ values: [Int], for tag: Tag, vr: VR? = nil) throws(DicomError) {
        let vr = vr ?? DataDictionary.entry(for: tag)?.vr ?? .UN
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ type: T.Type) throws(DicomError) {
            for v in values {
                guard let x = T(exactly: v) else { throw DicomError(.invalidValue, "\(v) does not fit \(vr)") }
                withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        switch vr {
        case .US: try put(UInt16.self)
        case .SS: try put(Int16.self)
        case .UL: try put(UInt32.self)
        case .SL: try put(Int32.self)
        case .UV: try put(UInt64.self)
        case .SV: try put(Int64.self)
        case .IS:
            try setStrings(values.map(String.init), for: tag, vr: .IS)
            return
        default: throw DicomError(.invalidValue, "\(vr) does not hold integers")
        }
        set(DataElement(tag: tag, vr: vr, bytes: out))
    }

    /// Sets one integer value.
    public mutating func setInt(_ value: Int, for tag: Tag, vr: VR? = nil) throws(DicomError) {
        try setInts([value], for: tag, vr: vr)
    }
}

extension Collection where Element == UInt8 {
    /// Reads the bytes as consecutive little-endian integers; trailing bytes that make no whole value are ignored.
    func littleEndianValues<T: FixedWidthInteger>(_ type: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        let n = count / size
        var out = [T]()
        out.reserveCapacity(n)
        var it = makeIterator()
        for _ in 0..<n {
            var v: T = 0
            for k in 0..<size { v |= T(truncatingIfNeeded: it.next()!) << (8 * k) }
            out.append(v)
        }
        return out
    }
}
