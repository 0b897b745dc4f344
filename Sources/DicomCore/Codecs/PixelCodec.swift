/// A codec for one family of encapsulated transfer syntaxes (PS3.5 §8.2, Annex A.4).
///
/// Decoders write one frame into a buffer the caller provides, in the layout every consumer of decoded pixels
/// uses: samples little endian, each `ImageDescriptor.bytesPerSample` wide, colour samples interleaved
/// (colour-by-pixel), in the colour space the codestream naturally yields (RGB for YCbCr JPEG, as DCMTK does).
/// Encoders return the frame's bytes and the attribute changes the encoding implies.
public protocol PixelCodec: Sendable {
    /// The transfer syntaxes this codec handles.
    var transferSyntaxUIDs: [String] { get }

    /// Decodes one frame's codestream into `output`, which holds exactly `descriptor.decodedFrameLength` bytes.
    /// Returns the Photometric Interpretation of the decoded samples (for example `RGB` for YBR_FULL_422 input).
    func decode(_ encoded: ArraySlice<UInt8>, descriptor: ImageDescriptor, into output: UnsafeMutableRawBufferPointer) throws(DicomError) -> String

    /// Encodes one frame given in the decoded layout, for the transfer syntax `uid` (one of `transferSyntaxUIDs`).
    /// Throws `.unsupportedTransferSyntax` when this codec only decodes that syntax.
    func encode(_ frame: UnsafeRawBufferPointer, descriptor: ImageDescriptor, transferSyntaxUID uid: String, options: EncodeOptions) throws(DicomError) -> EncodedFrame
}

/// Choices for an encoder.
public struct EncodeOptions: Sendable, Hashable {
    /// JPEG baseline quality, 1–100.
    public var quality: Int = 90
    /// JPEG-LS NEAR: the largest error allowed per sample (0 is lossless).
    public var nearLossless: Int = 0
    /// Lossless JPEG predictor, 1–7 (1 for the SV1 syntax).
    public var predictor: Int = 1
    /// JPEG-LS interleave mode (T.87 §C.2.3, ILV) of colour frames; nil lets the encoder choose: sample-interleaved
    /// for colour of at most 8 bits, one scan per component otherwise. Ignored for one-component frames.
    public var jpeglsInterleave: JPEGLSInterleave? = nil
    /// Huffman tables of the lossless JPEG encoder.
    public var losslessHuffmanTables: LosslessHuffmanTables = .optimized
    /// JPEG 2000 (1.2.840.10008.1.2.4.91): the compression ratio to reach, above 1, by the irreversible path (9/7
    /// wavelet, ICT for RGB, scalar quantization as fine as keeps the codestream within the frame's bytes / ratio);
    /// nil encodes losslessly (5/3 wavelet), as 1.2.840.10008.1.2.4.90 always does.
    public var compressionRatio: Double? = nil

    public init(quality: Int = 90, nearLossless: Int = 0, predictor: Int = 1, jpeglsInterleave: JPEGLSInterleave? = nil,
                losslessHuffmanTables: LosslessHuffmanTables = .optimized, compressionRatio: Double? = nil) {
        self.quality = quality
        self.nearLossless = nearLossless
        self.predictor = predictor
        self.jpeglsInterleave = jpeglsInterleave
        self.losslessHuffmanTables = losslessHuffmanTables
        self.compressionRatio = compressionRatio
    }
}

/// How a JPEG-LS scan holds the components of a colour frame (T.87 §C.2.3, the ILV field of SOS).
public enum JPEGLSInterleave: Int, Sendable, Hashable, CaseIterable {
    /// ILV 0: one scan per component.
    case none = 0
    /// ILV 1: one scan; each line of the image is a line of the first component, then of the second, and so on.
    case line = 1
    /// ILV 2: one scan; the components of each pixel follow one another.
    case sample = 2
}

/// The Huffman tables a lossless JPEG encoder writes (T.81 Annex K).
public enum LosslessHuffmanTables: Sendable, Hashable {
    /// A table made for the frame from its difference statistics (T.81 §K.2): smallest output, two passes.
    case optimized
    /// A fixed table (the typical DC table of T.81 §K.3 extended to categories 12–16): one pass, slightly larger output.
    case standard
}

/// One encoded frame and what the encoding changes in the data set.
public struct EncodedFrame: Sendable {
    /// The codestream, as one fragment.
    public var bytes: [UInt8]
    /// Elements to set on the data set: Photometric Interpretation when the colour space changed, Planar Configuration,
    /// Lossy Image Compression (0028,2110) with its ratio (0028,2112) and method (0028,2114) for lossy encodings.
    public var attributeChanges: DataSet

    public init(bytes: [UInt8], attributeChanges: DataSet = DataSet()) {
        self.bytes = bytes
        self.attributeChanges = attributeChanges
    }
}

extension DataSet {
    /// Marks a lossy encoding (PS3.3 §C.7.6.1.1.5): Lossy Image Compression "01", its ratio (`originalBytes` over
    /// `compressedBytes`, two decimals) and its method (e.g. "ISO_15444_1").
    mutating func setLossyCompression(originalBytes: Int, compressedBytes: Int, method: String) throws(DicomError) {
        let hundredths = (originalBytes * 100 + compressedBytes / 2) / Swift.max(compressedBytes, 1)
        let fraction = hundredths % 100
        try setString("01", for: Tag(0x0028, 0x2110), vr: .CS)
        try setString("\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)", for: Tag(0x0028, 0x2112), vr: .DS)
        try setString(method, for: Tag(0x0028, 0x2114), vr: .CS)
    }
}
