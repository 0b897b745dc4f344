/// A transfer syntax: how a data set is encoded (PS3.5 §10).
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    /// The Transfer Syntax UID.
    public let uid: String
    /// A short name for people.
    public let name: String
    /// VRs are written out.
    public let isExplicitVR: Bool
    /// Numbers are big endian (retired Explicit VR Big Endian).
    public let isBigEndian: Bool
    /// The data set after the File Meta Information is deflated (RFC 1951).
    public let isDeflated: Bool
    /// Pixel Data is encapsulated (compressed, or a container such as MPEG).
    public let isEncapsulated: Bool

    public init(uid: String, name: String, isExplicitVR: Bool = true, isBigEndian: Bool = false, isDeflated: Bool = false, isEncapsulated: Bool = false) {
        self.uid = uid
        self.name = name
        self.isExplicitVR = isExplicitVR
        self.isBigEndian = isBigEndian
        self.isDeflated = isDeflated
        self.isEncapsulated = isEncapsulated
    }

    public var description: String { "\(name) (\(uid))" }

    /// Implicit VR Little Endian, the DICOM default.
    public static let implicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2", name: "Implicit VR Little Endian", isExplicitVR: false)
    /// Explicit VR Little Endian.
    public static let explicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2.1", name: "Explicit VR Little Endian")
    /// Deflated Explicit VR Little Endian.
    public static let deflatedExplicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2.1.99", name: "Deflated Explicit VR Little Endian", isDeflated: true)
    /// Explicit VR Big Endian (retired, still met in archives).
    public static let explicitVRBigEndian = TransferSyntax(uid: "1.2.840.10008.1.2.2", name: "Explicit VR Big Endian", isBigEndian: true)

    /// The native (uncompressed) syntaxes the reader and writer handle completely.
    public static let uncompressed: [TransferSyntax] = [.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian, .deflatedExplicitVRLittleEndian]

    /// Encapsulated syntaxes that the codec issues implement; listed so their names print well.
    static let encapsulated: [TransferSyntax] = [
        ("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
        ("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
        ("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
        ("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"),
        ("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"),
        ("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
        ("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
        ("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
        ("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
        ("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"),
        ("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"),
        ("1.2.840.10008.1.2.5", "RLE Lossless"),
    ].map { TransferSyntax(uid: $0.0, name: $0.1, isEncapsulated: true) }

    /// The transfer syntax for `uid`. Unknown UIDs are taken as explicit VR little endian with encapsulated pixel data,
    /// which is how every syntax defined after the first four encodes (PS3.5 §A.4); pixel access then fails naming the UID.
    public init(uid: String) {
        let uid = uid.trimmingSpaces
        if let known = TransferSyntax.known[uid] {
            self = known
        } else {
            self = TransferSyntax(uid: uid, name: "Unknown transfer syntax", isEncapsulated: true)
        }
    }

    private static let known: [String: TransferSyntax] = Dictionary(uniqueKeysWithValues: (uncompressed + encapsulated).map { ($0.uid, $0) })

    /// Whether the reader and writer know this syntax (not whether pixels can be decoded).
    public var isKnown: Bool { name != "Unknown transfer syntax" }
}
