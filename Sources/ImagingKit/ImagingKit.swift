import DicomCore

/// The pixel pipeline (Modality LUT, VOI, presentation, palette), geometry, filters, measurements and image encoders.
///
/// Pure functions over decoded frames, as portable as DicomCore: the standard library, Foundation and zlib only.
/// The order of the grey-scale pipeline is that of PS3.4 §N (Grayscale Standard Display):
/// stored values → ``ModalityLUT`` → ``VOITransform`` → presentation (MONOCHROME1, user invert) → ``Palette`` → 8-bit output.
/// See ``RenderPipeline``.
public enum ImagingKit {}

/// The one error type of ImagingKit; compare by ``code``, never by message.
public struct ImagingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable { case decodeFrame, unsupportedImage, invalidLookupTable, invalidArgument, encode }
        let base: Base
        public var description: String { base.rawValue }
        /// DicomCore could not decode the frame (the detail names why).
        public static let decodeFrame = Code(base: .decodeFrame)
        /// The image is of a kind the pipeline does not render (photometric interpretation, bit depth).
        public static let unsupportedImage = Code(base: .unsupportedImage)
        /// A Modality, VOI or Palette Color LUT is malformed.
        public static let invalidLookupTable = Code(base: .invalidLookupTable)
        /// An argument is out of range (window width, region outside the image, unknown palette).
        public static let invalidArgument = Code(base: .invalidArgument)
        /// An encoder failed (zlib).
        public static let encode = Code(base: .encode)
    }

    public var code: Code
    public var detail: String
    public var location: String

    public init(_ code: Code, _ detail: String = "", file: String = #fileID, line: Int = #line) {
        self.code = code
        self.detail = detail
        self.location = "\(file):\(line)"
    }

    public var description: String { detail.isEmpty ? "\(code)" : "\(code): \(detail)" }
    public static func == (lhs: ImagingError, rhs: ImagingError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
