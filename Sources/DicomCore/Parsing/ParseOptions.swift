/// Limits and choices of the reader, in one value (strict and lenient rules are not scattered booleans).
public struct ParseOptions: Sendable, Hashable {
    /// Sequences may nest this deep; deeper input fails with `.nestingTooDeep`.
    public var maximumDepth: Int = 32
    /// At most this many elements in one parse, items and nested elements included; more fails with `.tooManyElements`.
    public var maximumElementCount: Int = 4_000_000
    /// A deflated data set may inflate to at most this many bytes (a deflate bomb fails with `.inflateFailed`).
    public var maximumInflatedSize: Int = 256 << 20
    /// Stop at the first top-level element whose tag is at least this one, such as `.pixelData`: the fast path for indexing.
    public var stopBefore: Tag? = nil
    /// In explicit VR input, an element written as UN whose tag the dictionary knows gets the dictionary's VR
    /// (and a known sequence is parsed as one), as pydicom and DCMTK do.
    public var replaceUNWithKnownVR: Bool = true

    /// The defaults.
    public static let `default` = ParseOptions()

    /// Options that stop before Pixel Data, for header-only reads.
    public static let headerOnly = ParseOptions(stopBefore: .pixelData)

    public init(maximumDepth: Int = 32, maximumElementCount: Int = 4_000_000, maximumInflatedSize: Int = 256 << 20, stopBefore: Tag? = nil, replaceUNWithKnownVR: Bool = true) {
        self.maximumDepth = maximumDepth
        self.maximumElementCount = maximumElementCount
        self.maximumInflatedSize = maximumInflatedSize
        self.stopBefore = stopBefore
        self.replaceUNWithKnownVR = replaceUNWithKnownVR
    }
}
