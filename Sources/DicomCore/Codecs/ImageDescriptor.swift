/// What a codec needs to know about the pixels of one frame: the Image Pixel Module attributes (PS3.3 §C.7.6.3).
public struct ImageDescriptor: Sendable, Hashable {
    public var rows: Int
    public var columns: Int
    public var samplesPerPixel: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// Samples are two's complement (Pixel Representation 1).
    public var isSigned: Bool
    /// Photometric Interpretation, such as `MONOCHROME2`, `RGB`, `YBR_FULL_422`.
    public var photometricInterpretation: String
    /// 0: colour-by-pixel (R1G1B1R2…); 1: colour-by-plane (R1R2…G1G2…B1B2…).
    public var planarConfiguration: Int
    public var numberOfFrames: Int

    public init(rows: Int, columns: Int, samplesPerPixel: Int = 1, bitsAllocated: Int, bitsStored: Int? = nil, highBit: Int? = nil,
                isSigned: Bool = false, photometricInterpretation: String = "MONOCHROME2", planarConfiguration: Int = 0, numberOfFrames: Int = 1) {
        self.rows = rows
        self.columns = columns
        self.samplesPerPixel = samplesPerPixel
        self.bitsAllocated = bitsAllocated
        self.bitsStored = bitsStored ?? bitsAllocated
        self.highBit = highBit ?? (bitsStored ?? bitsAllocated) - 1
        self.isSigned = isSigned
        self.photometricInterpretation = photometricInterpretation
        self.planarConfiguration = planarConfiguration
        self.numberOfFrames = numberOfFrames
    }

    /// Reads the descriptor from a data set, checking that the attributes describe a possible image.
    public init(_ dataSet: DataSet) throws(DicomError) {
        guard let rows = dataSet.int(.rows), let columns = dataSet.int(.columns), let bits = dataSet.int(.bitsAllocated) else {
            throw DicomError(.invalidPixelData, "Rows, Columns or Bits Allocated missing")
        }
        self.init(rows: rows, columns: columns, samplesPerPixel: dataSet.int(.samplesPerPixel) ?? 1, bitsAllocated: bits,
                  bitsStored: dataSet.int(.bitsStored), highBit: dataSet.int(.highBit), isSigned: dataSet.int(.pixelRepresentation) == 1,
                  photometricInterpretation: dataSet.string(.photometricInterpretation) ?? "MONOCHROME2",
                  planarConfiguration: dataSet.int(.planarConfiguration) ?? 0, numberOfFrames: dataSet.numberOfFrames)
        try validate()
    }

    /// Rejects impossible or absurd images before anything is allocated for them.
    public func validate() throws(DicomError) {
        guard rows > 0, columns > 0, rows <= 65535, columns <= 65535 else {
            throw DicomError(.invalidPixelData, "image of \(rows)x\(columns)")
        }
        guard [1, 3, 4].contains(samplesPerPixel) else { throw DicomError(.invalidPixelData, "Samples per Pixel \(samplesPerPixel)") }
        guard [1, 8, 16, 32, 64].contains(bitsAllocated) else { throw DicomError(.invalidPixelData, "Bits Allocated \(bitsAllocated)") }
        guard bitsStored >= 1, bitsStored <= bitsAllocated else { throw DicomError(.invalidPixelData, "Bits Stored \(bitsStored) of \(bitsAllocated)") }
        guard numberOfFrames >= 1 else { throw DicomError(.invalidPixelData, "Number of Frames \(numberOfFrames)") }
    }

    /// Bytes per sample in decoded output: Bits Allocated rounded up to whole bytes.
    public var bytesPerSample: Int { (bitsAllocated + 7) / 8 }

    /// Pixels in one frame.
    public var pixelCount: Int { rows * columns }

    /// Bytes of one decoded frame: every sample `bytesPerSample` wide (1-bit images take one byte per pixel once decoded).
    public var decodedFrameLength: Int { pixelCount * samplesPerPixel * bytesPerSample }
}
