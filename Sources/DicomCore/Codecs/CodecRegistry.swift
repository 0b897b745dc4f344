/// The codecs available, keyed by transfer syntax UID.
///
/// ```swift
/// let frame = try file.decodedFrame(0)                    // uses CodecRegistry.standard
/// var registry = CodecRegistry.standard
/// registry.register(MyCodec())                            // a codec of your own for a private syntax
/// ```
public struct CodecRegistry: Sendable {
    private var codecs: [String: any PixelCodec] = [:]

    /// An empty registry.
    public init() {}

    /// Every codec DicomCore ships.
    public static let standard: CodecRegistry = {
        var registry = CodecRegistry()
        for codec in builtInCodecs { registry.register(codec) }
        return registry
    }()

    /// Codecs compiled into DicomCore; each codec's folder adds itself here.
    static var builtInCodecs: [any PixelCodec] { [RLECodec(), JPEGCodec(), JPEGLSCodec(), JPEG2000Codec()] }

    /// Adds `codec` for each of its transfer syntaxes, replacing any codec registered for them.
    public mutating func register(_ codec: any PixelCodec) {
        for uid in codec.transferSyntaxUIDs { codecs[uid] = codec }
    }

    /// The codec for `uid`, if any.
    public func codec(for uid: String) -> (any PixelCodec)? { codecs[uid] }

    /// The syntaxes with a codec.
    public var transferSyntaxUIDs: [String] { codecs.keys.sorted() }
}
