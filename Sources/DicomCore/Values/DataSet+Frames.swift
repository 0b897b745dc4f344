/// Access to the frames of Pixel Data, native or encapsulated, without decoding them.
extension DataSet {
    /// The element holding pixels: Pixel Data, else Float or Double Float Pixel Data.
    public var pixelDataElement: DataElement? {
        self[.pixelData] ?? self[.floatPixelData] ?? self[.doubleFloatPixelData]
    }

    /// Number of Frames (0028,0008), 1 when absent.
    public var numberOfFrames: Int {
        Swift.max(1, int(.numberOfFrames) ?? 1)
    }

    /// Bytes of one native frame: Rows × Columns × Samples per Pixel × Bits Allocated / 8 (PS3.5 §8.1.1);
    /// nil when an attribute is missing or the product is not whole bytes (1-bit frames may start mid-byte).
    public var nativeFrameLength: Int? {
        guard let rows = int(.rows), let columns = int(.columns), rows > 0, columns > 0 else { return nil }
        let samples = int(.samplesPerPixel) ?? 1
        let bits = pixelDataElement?.tag == .floatPixelData ? 32 : pixelDataElement?.tag == .doubleFloatPixelData ? 64 : (int(.bitsAllocated) ?? 0)
        guard bits > 0, samples > 0 else { return nil }
        let (total, overflow) = (rows * columns).multipliedReportingOverflow(by: samples * bits)
        guard !overflow else { return nil }
        return total % 8 == 0 ? total / 8 : nil
    }

    /// The encoded bytes of frame `index` (0-based): a slice of native Pixel Data, or the joined fragments of an
    /// encapsulated frame (located with the Extended Offset Table (7FE0,0001) when present, PS3.5 §A.4).
    /// 1-bit native frames that start mid-byte are shifted into whole bytes.
    public func frameBytes(at index: Int) throws(DicomError) -> ArraySlice<UInt8> {
        guard let element = pixelDataElement else { throw DicomError(.invalidPixelData, "no Pixel Data") }
        let count = numberOfFrames
        guard index >= 0 && index < count else { throw DicomError(.frameOutOfRange, "frame \(index + 1) of \(count)") }
        switch element.value {
        case .encapsulated(let pixels):
            let eot = self[.extendedOffsetTable]?.bytes?.littleEndianValues(UInt64.self)
            return try pixels.frameSlice(index, numberOfFrames: count, extendedOffsetTable: eot)
        case .bytes(let bytes):
            if let length = nativeFrameLength {
                let start = bytes.startIndex + index * length
                guard start + length <= bytes.endIndex else {
                    throw DicomError(.invalidPixelData, "Pixel Data holds \(bytes.count) bytes, frame \(index + 1) needs \((index + 1) * length)")
                }
                return bytes[start..<start + length]
            }
            return try oneBitFrame(bytes, index: index)
        case .sequence:
            throw DicomError(.invalidPixelData, "Pixel Data is a sequence")
        }
    }

    private func oneBitFrame(_ bytes: ArraySlice<UInt8>, index: Int) throws(DicomError) -> ArraySlice<UInt8> {
        guard let rows = int(.rows), let columns = int(.columns), int(.bitsAllocated) == 1 else {
            throw DicomError(.invalidPixelData, "Rows, Columns or Bits Allocated missing or inconsistent")
        }
        let bitsPerFrame = rows * columns * (int(.samplesPerPixel) ?? 1)
        let firstBit = index * bitsPerFrame
        guard (firstBit + bitsPerFrame + 7) / 8 <= bytes.count else {
            throw DicomError(.invalidPixelData, "Pixel Data too short for frame \(index + 1)")
        }
        // Bits are packed least significant first across frame boundaries.
        var out = [UInt8](repeating: 0, count: (bitsPerFrame + 7) / 8)
        for bit in 0..<bitsPerFrame {
            let source = firstBit + bit
            if bytes[bytes.startIndex + source >> 3] >> (source & 7) & 1 == 1 { out[bit >> 3] |= 1 << (bit & 7) }
        }
        return out[...]
    }
}
