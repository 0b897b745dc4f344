/// Parses an encoded data set over a byte buffer (PS3.5 §7).
///
/// Values are slices of the buffer: nothing is copied except big-endian binary values, which are swapped to little endian.
/// Every length is checked against the bytes that remain before it is used, nesting depth and element count are
/// bounded, and on failure the elements read so far stay in the caller's data set.
struct DataSetParser {
    /// How the bytes at the current level are encoded: explicit/implicit VR, byte order.
    struct Encoding {
        var explicitVR: Bool
        var bigEndian: Bool
        static let implicitLittle = Encoding(explicitVR: false, bigEndian: false)
    }

    static let undefinedLength: UInt32 = 0xFFFF_FFFF

    let bytes: [UInt8]
    var position: Int
    let options: ParseOptions
    private(set) var elementCount = 0
    /// A sequence whose parse failed midway, with the items read so far, for the enclosing data set to keep.
    private var partialElement: DataElement?
    /// The parse ended at `ParseOptions.stopBefore` rather than at the end of the input.
    private(set) var stoppedBeforeTag = false

    init(bytes: [UInt8], position: Int, options: ParseOptions) {
        self.bytes = bytes
        self.position = position
        self.options = options
    }

    // MARK: - Primitive reads

    @inline(__always)
    private func need(_ n: Int, before end: Int, _ what: @autoclosure () -> String) throws(DicomError) {
        if end - position < n { throw DicomError(.truncated, at: position, "input ends inside \(what())") }
    }

    @inline(__always)
    private mutating func u16(_ enc: Encoding) -> UInt16 {
        let a = UInt16(bytes[position]), b = UInt16(bytes[position + 1])
        position += 2
        return enc.bigEndian ? a << 8 | b : b << 8 | a
    }

    @inline(__always)
    private mutating func u32(_ enc: Encoding) -> UInt32 {
        let a = UInt32(bytes[position]), b = UInt32(bytes[position + 1]), c = UInt32(bytes[position + 2]), d = UInt32(bytes[position + 3])
        position += 4
        return enc.bigEndian ? a << 24 | b << 16 | c << 8 | d : d << 24 | c << 16 | b << 8 | a
    }

    /// The tag at the current position without moving, if four bytes remain before `end`.
    func peekTag(_ enc: Encoding, end: Int) -> Tag? {
        guard end - position >= 4 else { return nil }
        let p = position
        let g = enc.bigEndian ? UInt16(bytes[p]) << 8 | UInt16(bytes[p + 1]) : UInt16(bytes[p + 1]) << 8 | UInt16(bytes[p])
        let e = enc.bigEndian ? UInt16(bytes[p + 2]) << 8 | UInt16(bytes[p + 3]) : UInt16(bytes[p + 3]) << 8 | UInt16(bytes[p + 2])
        return Tag(g, e)
    }

    /// Whether the two bytes after the tag at `position` spell a VR: how the reader tells explicit from implicit input.
    func looksExplicit(at p: Int) -> Bool {
        guard p + 6 <= bytes.count else { return false }
        return VR(bytes[p + 4], bytes[p + 5]) != nil
    }

    // MARK: - Data sets

    /// Parses elements into `dataSet` until `end`, or until an Item Delimitation Item when `delimited`.
    mutating func parseDataSet(into dataSet: inout DataSet, end: Int, delimited: Bool, depth: Int, enc: Encoding, context: Context) throws(DicomError) {
        var context = context
        defer { dataSet.restoreOrder() }
        // Top-level headers average some 30 bytes an element: reserve once instead of growing element by element.
        // (Not for items: an undefined-length item's end is its enclosing data set's.)
        if depth == 0 { dataSet.reserveCapacity(min((end - position) / 32, 1024)) }
        while position < end {
            try need(4, before: end, "a tag")
            let start = position
            let g = u16(enc), el = u16(enc)
            let tag = Tag(g, el)
            if g == 0xFFFE {
                try need(4, before: end, "a delimiter length")
                _ = u32(enc)
                if tag == .itemDelimitationItem && delimited { return }
                throw DicomError(.unexpectedDelimiter, at: start, "\(tag) inside a data set")
            }
            if depth == 0, let stop = options.stopBefore, tag >= stop {
                position = start
                stoppedBeforeTag = true
                return
            }
            var element: DataElement
            do {
                element = try parseElement(tag: tag, start: start, end: end, depth: depth, enc: enc, context: context, enclosing: dataSet)
            } catch {
                if let partial = partialElement {
                    partialElement = nil
                    dataSet.append(partial)
                }
                throw error
            }
            if element.tag == .specificCharacterSet, let b = element.bytes {
                dataSet.characterSet = SpecificCharacterSet(terms: DataSet.decodeStrings(b, vr: .CS, characterSet: .default))
                context.characterSet = dataSet.characterSet
            } else if element.tag == .pixelRepresentation, let b = element.bytes, b.count >= 2 {
                context.pixelRepresentation = Int(b[b.startIndex]) | Int(b[b.startIndex + 1]) << 8
            } else if element.tag == .bitsAllocated, let b = element.bytes, b.count >= 2 {
                context.bitsAllocated = Int(b[b.startIndex]) | Int(b[b.startIndex + 1]) << 8
            }
            if case .sequence(let items) = element.value, element.vr != .SQ {
                element.vr = .SQ
                element.value = .sequence(items)
            }
            dataSet.append(element)
        }
        if delimited {
            throw DicomError(.truncated, at: position, "input ends before the Item Delimitation Item")
        }
    }

    /// What enclosing data sets tell an element: the character set and the attributes that resolve ambiguous VRs.
    struct Context {
        var characterSet: SpecificCharacterSet = .default
        var pixelRepresentation: Int? = nil
        var bitsAllocated: Int? = nil
        var transferSyntaxIsImplicit: Bool = false
    }

    // MARK: - Elements

    private mutating func parseElement(tag: Tag, start: Int, end: Int, depth: Int, enc: Encoding, context: Context, enclosing: DataSet) throws(DicomError) -> DataElement {
        elementCount += 1
        if elementCount > options.maximumElementCount {
            throw DicomError(.tooManyElements, at: start, "more than \(options.maximumElementCount) elements")
        }
        var vr: VR
        let length: UInt32
        if enc.explicitVR {
            try need(4, before: end, "the VR and length of \(tag)")
            guard let v = VR(bytes[position], bytes[position + 1]) else {
                throw DicomError(.invalidVR, at: position, "bytes \(hex(bytes[position])) \(hex(bytes[position + 1])) are not a VR (element \(tag))")
            }
            vr = v
            position += 2
            if vr.hasLongExplicitLength {
                try need(6, before: end, "the length of \(tag)")
                position += 2
                length = u32(enc)
            } else {
                length = UInt32(u16(enc))
            }
        } else {
            try need(4, before: end, "the length of \(tag)")
            length = u32(enc)
            vr = DataSetParser.implicitVR(for: tag, context: context)
            if vr == .UN && tag.isPrivate, let creatorVR = DataSetParser.privateVR(for: tag, in: enclosing) {
                vr = creatorVR
            }
        }

        if length == DataSetParser.undefinedLength {
            if tag == .pixelData || (vr != .SQ && vr != .UN && (vr == .OB || vr == .OW)) {
                let value = try parseEncapsulated(end: end, enc: enc, start: start)
                return DataElement(tag: tag, vr: vr == .OW && enc.explicitVR ? .OW : .OB, value: .encapsulated(value), hasUndefinedLength: true)
            }
            // An undefined-length element is a sequence; UN content is implicit VR little endian (PS3.5 §6.2.2).
            let inner = vr == .UN ? Encoding.implicitLittle : enc
            var items: [DataSet] = []
            do {
                try parseItems(into: &items, end: end, delimited: true, depth: depth + 1, enc: inner, context: context)
            } catch {
                partialElement = DataElement(tag: tag, vr: .SQ, value: .sequence(items), hasUndefinedLength: true)
                throw error
            }
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items), hasUndefinedLength: true)
        }

        let count = Int(length)
        guard count <= end - position else {
            let error = DicomError(.lengthExceedsInput, at: start, "\(tag) \(vr) claims \(count) bytes, \(end - position) remain")
            if vr == .SQ {
                // Keep the items that are there, as a reader of a truncated file would want.
                var items: [DataSet] = []
                try? parseItems(into: &items, end: end, delimited: false, depth: depth + 1, enc: enc, context: context)
                partialElement = DataElement(tag: tag, vr: .SQ, value: .sequence(items))
            }
            throw error
        }
        let valueEnd = position + count

        if enc.explicitVR && vr == .UN && options.replaceUNWithKnownVR,
           let known = (!tag.isPrivate || tag.isPrivateCreator) && DataDictionary.entry(for: tag) != nil
                ? DataSetParser.implicitVR(for: tag, context: context)
                : DataSetParser.privateVR(for: tag, in: enclosing) {
            vr = known
            if vr == .SQ {
                var items: [DataSet] = []
                try parseItems(into: &items, end: valueEnd, delimited: false, depth: depth + 1, enc: .implicitLittle, context: context)
                position = valueEnd
                return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
            }
        }

        if vr == .SQ {
            var items: [DataSet] = []
            do {
                try parseItems(into: &items, end: valueEnd, delimited: false, depth: depth + 1, enc: enc, context: context)
            } catch {
                partialElement = DataElement(tag: tag, vr: .SQ, value: .sequence(items))
                throw error
            }
            position = valueEnd
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
        }

        let slice = bytes[position..<valueEnd]
        position = valueEnd
        if enc.bigEndian, let unit = DataSetParser.swapUnit(tag: tag, vr: vr, bitsAllocated: context.bitsAllocated), unit > 1 {
            return DataElement(tag: tag, vr: vr, value: .bytes(DataSetParser.swapped(slice, unit: unit)[...]))
        }
        return DataElement(tag: tag, vr: vr, value: .bytes(slice))
    }

    /// Items of a sequence, until `end` or, when `delimited`, a Sequence Delimitation Item.
    private mutating func parseItems(into items: inout [DataSet], end: Int, delimited: Bool, depth: Int, enc: Encoding, context: Context) throws(DicomError) {
        guard depth <= options.maximumDepth else {
            throw DicomError(.nestingTooDeep, at: position, "sequences nest deeper than \(options.maximumDepth)")
        }
        while position < end {
            let start = position
            try need(8, before: end, "an item header")
            let tag = Tag(u16(enc), u16(enc))
            let length = u32(enc)
            if tag == .sequenceDelimitationItem {
                if delimited { return }
                throw DicomError(.unexpectedDelimiter, at: start, "Sequence Delimitation Item in a defined-length sequence")
            }
            guard tag == .item else {
                throw DicomError(.invalidItem, at: start, "\(tag) where an item was expected")
            }
            elementCount += 1
            if elementCount > options.maximumElementCount {
                throw DicomError(.tooManyElements, at: start, "more than \(options.maximumElementCount) elements")
            }
            var item = DataSet(characterSet: context.characterSet)
            do throws(DicomError) {
                if length == DataSetParser.undefinedLength {
                    item.hasUndefinedLength = true
                    try parseDataSet(into: &item, end: end, delimited: true, depth: depth, enc: enc, context: context)
                } else {
                    let count = Int(length)
                    guard count <= end - position else {
                        let error = DicomError(.lengthExceedsInput, at: start, "item claims \(count) bytes, \(end - position) remain")
                        try? parseDataSet(into: &item, end: end, delimited: false, depth: depth, enc: enc, context: context)
                        throw error
                    }
                    let itemEnd = position + count
                    try parseDataSet(into: &item, end: itemEnd, delimited: false, depth: depth, enc: enc, context: context)
                    position = itemEnd
                }
            } catch {
                items.append(item)
                throw error
            }
            items.append(item)
        }
        if delimited {
            throw DicomError(.truncated, at: position, "input ends before the Sequence Delimitation Item")
        }
    }

    /// Encapsulated Pixel Data: a Basic Offset Table item, fragment items, a Sequence Delimitation Item (PS3.5 §A.4).
    private mutating func parseEncapsulated(end: Int, enc: Encoding, start: Int) throws(DicomError) -> EncapsulatedPixelData {
        var table: [UInt32] = []
        var fragments: [ArraySlice<UInt8>] = []
        var first = true
        while true {
            guard end - position >= 8 else {
                throw DicomError(.truncated, at: position, "input ends inside encapsulated Pixel Data (\(fragments.count) fragments read)")
            }
            let itemStart = position
            let tag = Tag(u16(enc), u16(enc))
            let length = u32(enc)
            if tag == .sequenceDelimitationItem { break }
            guard tag == .item else {
                throw DicomError(.invalidItem, at: itemStart, "\(tag) inside encapsulated Pixel Data")
            }
            guard length != DataSetParser.undefinedLength, Int(length) <= end - position else {
                throw DicomError(.lengthExceedsInput, at: itemStart, "fragment claims \(length) bytes, \(end - position) remain")
            }
            let slice = bytes[position..<position + Int(length)]
            position += Int(length)
            if first {
                first = false
                table = slice.littleEndianValues(UInt32.self)
            } else {
                fragments.append(slice)
            }
        }
        return EncapsulatedPixelData(basicOffsetTable: table, fragments: fragments)
    }

    // MARK: - VR resolution

    /// The VR of an implicit VR element: from the dictionary, with ambiguous VRs resolved as PS3.5 §A.1 and PS3.3 describe.
    static func implicitVR(for tag: Tag, context: Context) -> VR {
        if tag.element == 0 { return .UL }
        if tag.isPrivateCreator { return .LO }
        guard let entry = DataDictionary.entry(for: tag) else { return .UN }
        if entry.alternativeVRs.isEmpty { return entry.vr }
        let all = [entry.vr] + entry.alternativeVRs
        if all.contains(.SS) && all.contains(.US) {
            if all.contains(.OW) && tag.group == 0x0028 && (tag.element & 0xF000) == 0x3000 { return .OW } // LUT Data
            return context.pixelRepresentation == 1 ? .SS : .US
        }
        if all.contains(.OW) && all.contains(.OB) {
            if tag == .pixelData, let bits = context.bitsAllocated, bits <= 8, !context.transferSyntaxIsImplicit { return .OB }
            return .OW
        }
        return entry.vr
    }

    /// The VR the private dictionary gives for `tag` under the creator that reserves its block in `dataSet`.
    static func privateVR(for tag: Tag, in dataSet: DataSet) -> VR? {
        guard let creatorTag = tag.privateCreatorTag, let creator = dataSet.string(creatorTag),
              let entry = PrivateDictionary.entry(creator: creator, tag: tag), entry.vr != .UN else { return nil }
        if entry.alternativeVRs.contains(.SS) { return .US }   // as pydicom, without Pixel Representation to go by
        if entry.alternativeVRs.contains(.OW) { return .OB }
        return entry.vr
    }

    /// The unit a big-endian value is swapped in: the VR's, except that OW Pixel Data of 32- or 64-bit samples is
    /// swapped per sample (as pydicom reads `rtdose_expb.dcm` to equal its little-endian twin).
    static func swapUnit(tag: Tag, vr: VR, bitsAllocated: Int?) -> Int? {
        if tag == .pixelData && vr == .OW, let bits = bitsAllocated, bits == 32 || bits == 64 { return bits / 8 }
        return vr.binaryUnitSize
    }

    static func swapped(_ slice: ArraySlice<UInt8>, unit: Int) -> [UInt8] {
        var out = Array(slice)
        var i = 0
        while i + unit <= out.count {
            out[i..<(i + unit)].reverse()
            i += unit
        }
        return out
    }
}

@inline(__always)
func hex(_ b: UInt8) -> String {
    let s = String(b, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
}
