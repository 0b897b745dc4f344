/// One data element: tag, VR and value (PS3.5 §7.1).
///
/// Binary values are held in little-endian byte order whatever the transfer syntax they were read from;
/// the writer swaps them for a big-endian target. String values are held as their encoded bytes and decoded
/// on access with the data set's character set.
public struct DataElement: Sendable {
    /// The tag.
    public var tag: Tag
    /// The VR: as encoded for explicit VR input, from the dictionary for implicit VR input.
    public var vr: VR
    /// The value.
    public var value: ElementValue
    /// The element was encoded with undefined length (sequences, encapsulated pixel data).
    /// The writer keeps this so that a canonical input round-trips byte for byte.
    public var hasUndefinedLength: Bool

    /// Makes an element.
    public init(tag: Tag, vr: VR, value: ElementValue, hasUndefinedLength: Bool = false) {
        self.tag = tag
        self.vr = vr
        self.value = value
        self.hasUndefinedLength = hasUndefinedLength
    }

    /// Makes an element holding `bytes`.
    public init(tag: Tag, vr: VR, bytes: [UInt8]) {
        self.init(tag: tag, vr: vr, value: .bytes(bytes[...]))
    }

    /// The raw value bytes, for elements that are not sequences or encapsulated pixel data.
    public var bytes: ArraySlice<UInt8>? {
        if case .bytes(let b) = value { return b }
        return nil
    }

    /// The items of a sequence.
    public var items: [DataSet]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// The value's length in bytes, for byte values.
    public var valueLength: Int {
        switch value {
        case .bytes(let b): return b.count
        case .sequence, .encapsulated: return 0
        }
    }
}

/// A data element's value.
public enum ElementValue: Sendable {
    /// Raw bytes: strings as encoded, numbers little endian. A slice of the input: no copy is made when parsing.
    case bytes(ArraySlice<UInt8>)
    /// The items of a sequence (SQ).
    case sequence([DataSet])
    /// Encapsulated (compressed) pixel data: offset table and fragments (PS3.5 §A.4).
    case encapsulated(EncapsulatedPixelData)
}
