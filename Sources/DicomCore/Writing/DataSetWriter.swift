/// Encodes data sets in an uncompressed transfer syntax (PS3.5 §7).
///
/// Lengths of defined-length sequences, items and group lengths are written as placeholders and patched once
/// their content is out, so nothing is encoded twice.
struct DataSetWriter {
    var output: [UInt8] = []
    let explicitVR: Bool
    let bigEndian: Bool
    let options: WriteOptions
    /// Bits Allocated of the data set being written, for swapping 32- and 64-bit OW Pixel Data big endian.
    var bitsAllocated: Int? = nil

    init(explicitVR: Bool, bigEndian: Bool, options: WriteOptions, capacity: Int = 0) {
        self.explicitVR = explicitVR
        self.bigEndian = bigEndian
        self.options = options
        output.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func put16(_ v: UInt16) {
        if bigEndian { output.append(UInt8(v >> 8)); output.append(UInt8(v & 0xFF)) } else { output.append(UInt8(v & 0xFF)); output.append(UInt8(v >> 8)) }
    }

    @inline(__always)
    mutating func put32(_ v: UInt32) {
        if bigEndian {
            output.append(UInt8(v >> 24)); output.append(UInt8(v >> 16 & 0xFF)); output.append(UInt8(v >> 8 & 0xFF)); output.append(UInt8(v & 0xFF))
        } else {
            output.append(UInt8(v & 0xFF)); output.append(UInt8(v >> 8 & 0xFF)); output.append(UInt8(v >> 16 & 0xFF)); output.append(UInt8(v >> 24))
        }
    }

    mutating func patch32(at offset: Int, _ v: UInt32) {
        let b: [UInt8] = bigEndian ? [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
                                   : [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        output.replaceSubrange(offset..<offset + 4, with: b)
    }

    mutating func putTag(_ tag: Tag) {
        put16(tag.group)
        put16(tag.element)
    }

    /// Writes the elements of `dataSet`, recomputing group lengths.
    mutating func write(_ dataSet: DataSet) throws(DicomError) {
        var groupLengthValueAt: Int? = nil
        var groupStart = 0
        var currentGroup: UInt16? = nil
        func closeGroup(_ w: inout DataSetWriter) {
            if let at = groupLengthValueAt {
                w.patch32(at: at, UInt32(w.output.count - groupStart))
                groupLengthValueAt = nil
            }
        }
        for element in dataSet {
            if element.tag == .bitsAllocated, let b = element.bytes, b.count >= 2 {
                bitsAllocated = Int(b[b.startIndex]) | Int(b[b.startIndex + 1]) << 8
            }
            if element.tag.group != currentGroup {
                closeGroup(&self)
                currentGroup = element.tag.group
            }
            if element.tag.isGroupLength && element.tag.group != 0x0002 {
                if options.groupLengths == .remove { continue }
                putTag(element.tag)
                if explicitVR { output.append(0x55); output.append(0x4C); put16(4) } else { put32(4) }
                groupLengthValueAt = output.count
                put32(0)
                groupStart = output.count
                continue
            }
            try write(element)
        }
        closeGroup(&self)
    }

    /// Writes one element.
    mutating func write(_ element: DataElement) throws(DicomError) {
        switch element.value {
        case .bytes(let bytes):
            try writeHeader(element.tag, vr: element.vr, length: bytes.count + bytes.count % 2)
            if bigEndian, let unit = DataSetParser.swapUnit(tag: element.tag, vr: element.vr, bitsAllocated: bitsAllocated), unit > 1 {
                output.append(contentsOf: DataSetParser.swapped(bytes, unit: unit))
            } else {
                output.append(contentsOf: bytes)
            }
            if bytes.count % 2 == 1 { output.append(element.vr.paddingByte) }

        case .sequence(let items):
            let undefined = useUndefinedLength(element.hasUndefinedLength)
            try writeHeader(element.tag, vr: .SQ, length: undefined ? nil : 0)
            let lengthAt = output.count - 4
            let start = output.count
            for item in items {
                putTag(.item)
                let itemUndefined = useUndefinedLength(item.hasUndefinedLength)
                put32(itemUndefined ? 0xFFFF_FFFF : 0)
                let itemLengthAt = output.count - 4
                let itemStart = output.count
                try write(item)
                if itemUndefined {
                    putTag(.itemDelimitationItem)
                    put32(0)
                } else {
                    patch32(at: itemLengthAt, UInt32(output.count - itemStart))
                }
            }
            if undefined {
                putTag(.sequenceDelimitationItem)
                put32(0)
            } else {
                patch32(at: lengthAt, UInt32(output.count - start))
            }

        case .encapsulated(let pixels):
            if bigEndian {
                throw DicomError(.unsupportedTransferSyntax, "encapsulated Pixel Data cannot be written big endian")
            }
            try writeHeader(element.tag, vr: element.vr == .OW ? .OW : .OB, length: nil)
            putTag(.item)
            put32(UInt32(pixels.basicOffsetTable.count * 4))
            for offset in pixels.basicOffsetTable { put32(offset) }
            for fragment in pixels.fragments {
                putTag(.item)
                put32(UInt32(fragment.count + fragment.count % 2))
                output.append(contentsOf: fragment)
                if fragment.count % 2 == 1 { output.append(0) }
            }
            putTag(.sequenceDelimitationItem)
            put32(0)
        }
    }

    private func useUndefinedLength(_ asRead: Bool) -> Bool {
        switch options.sequenceLengths {
        case .asRead: return asRead
        case .undefined: return true
        case .defined: return false
        }
    }

    /// Tag, VR (explicit only) and length; nil length means undefined.
    private mutating func writeHeader(_ tag: Tag, vr: VR, length: Int?) throws(DicomError) {
        guard (length ?? 0) <= 0xFFFF_FFFE else {
            throw DicomError(.invalidLength, "\(tag) value of \(length!) bytes does not fit a 32-bit length")
        }
        putTag(tag)
        let encodedLength = length.map { UInt32($0) } ?? 0xFFFF_FFFF
        guard explicitVR else {
            put32(encodedLength)
            return
        }
        // A value too long for a 16-bit length can only be written as UN (PS3.5 §6.2.2).
        let vr = !vr.hasLongExplicitLength && encodedLength > 0xFFFF ? VR.UN : vr
        let (a, b) = vr.bytes
        output.append(a)
        output.append(b)
        if vr.hasLongExplicitLength {
            put16(0)
            put32(encodedLength)
        } else {
            put16(UInt16(encodedLength))
        }
    }
}
