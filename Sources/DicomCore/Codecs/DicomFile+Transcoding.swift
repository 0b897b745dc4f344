extension DicomFile {
    /// The file with its pixels in `syntax`: decoded through the codec of the current syntax when that is
    /// encapsulated, encoded frame by frame with the codec of `syntax` when that is, and the Image Pixel attributes
    /// the encoding implies (Photometric Interpretation, Planar Configuration, Lossy Image Compression) updated.
    ///
    /// Uncompressed to uncompressed changes nothing in the data set: the writer re-encodes it.
    public func transcoded(to syntax: TransferSyntax, registry: CodecRegistry = .standard, options: EncodeOptions = EncodeOptions()) throws(DicomError) -> DicomFile {
        var result = self
        result.transferSyntax = syntax
        guard let pixels = dataSet.pixelDataElement, pixels.tag == .pixelData else { return result }
        let sourceEncapsulated: Bool
        if case .encapsulated = pixels.value { sourceEncapsulated = true } else { sourceEncapsulated = false }
        if !sourceEncapsulated && !syntax.isEncapsulated { return result }
        if sourceEncapsulated && syntax == transferSyntax { return result }

        var descriptor = try ImageDescriptor(dataSet)
        let frameCount = dataSet.numberOfFrames
        if !syntax.isEncapsulated {
            // Encapsulated to native: decode every frame into one native value.
            var native: [UInt8] = []
            native.reserveCapacity(descriptor.decodedFrameLength * frameCount)
            var decodedDescriptor = descriptor
            for index in 0..<frameCount {
                let frame = try decodedFrame(index, registry: registry)
                native += frame.bytes
                decodedDescriptor = frame.descriptor
            }
            if native.count % 2 == 1 { native.append(0) }
            result.dataSet.set(DataElement(tag: .pixelData, vr: decodedDescriptor.bitsAllocated > 8 ? .OW : .OB, bytes: native))
            try result.dataSet.setPixelAttributes(decodedDescriptor)
            result.dataSet.remove(.extendedOffsetTable)
            result.dataSet.remove(.extendedOffsetTableLengths)
            return result
        }

        guard let codec = registry.codec(for: syntax.uid) else {
            throw DicomError(.unsupportedTransferSyntax, "no encoder for \(syntax.name) (\(syntax.uid))")
        }
        var fragments: [ArraySlice<UInt8>] = []
        var offsets: [UInt32] = []
        var offset: UInt64 = 0
        var changes = DataSet()
        var totalEncoded = 0
        for index in 0..<frameCount {
            let frame = try decodedFrame(index, registry: registry)
            descriptor = frame.descriptor
            let encoded = try frame.bytes.withUnsafeBytes { raw in
                Result { () throws(DicomError) -> EncodedFrame in
                    try codec.encode(raw, descriptor: frame.descriptor, transferSyntaxUID: syntax.uid, options: options)
                }
            }.get()
            guard offset <= UInt64(UInt32.max) else { throw DicomError(.invalidPixelData, "encoded frames exceed the 4 GiB an offset table can address") }
            offsets.append(UInt32(offset))
            offset += 8 + UInt64(encoded.bytes.count + encoded.bytes.count % 2)
            totalEncoded += encoded.bytes.count
            fragments.append(encoded.bytes[...])
            if index == 0 { changes = encoded.attributeChanges }
        }
        result.dataSet.set(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(EncapsulatedPixelData(basicOffsetTable: frameCount > 1 ? offsets : [], fragments: fragments)), hasUndefinedLength: true))
        try result.dataSet.setPixelAttributes(descriptor)
        for element in changes { result.dataSet.set(element) }
        result.dataSet.remove(.extendedOffsetTable)
        result.dataSet.remove(.extendedOffsetTableLengths)
        return result
    }
}

extension DataSet {
    /// Sets Photometric Interpretation and, for colour, Planar Configuration from a descriptor of decoded pixels.
    mutating func setPixelAttributes(_ descriptor: ImageDescriptor) throws(DicomError) {
        try setString(descriptor.photometricInterpretation, for: .photometricInterpretation, vr: .CS)
        if descriptor.samplesPerPixel > 1 {
            try setInt(descriptor.planarConfiguration, for: .planarConfiguration, vr: .US)
        }
    }
}
