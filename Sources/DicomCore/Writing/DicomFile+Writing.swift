#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DicomFile {
    /// Our Implementation Class UID (PS3.7 §D.3.3.2), under the UUID-derived root `2.25` (PS3.5 §B.2).
    public static let implementationClassUID = "2.25.219946614720474138513049458209153326757"
    /// Our Implementation Version Name.
    public static let implementationVersionName = "MI_DICOM_0_1"

    /// Encodes the file in `syntax` (default: the file's own), with File Meta Information brought up to date:
    /// group length, version, Media Storage SOP Class/Instance from the data set, Transfer Syntax UID, and our
    /// implementation identifiers where none are given. Other meta elements are kept as they are.
    public func encoded(as syntax: TransferSyntax? = nil, options: WriteOptions = .default) throws(DicomError) -> [UInt8] {
        let syntax = syntax ?? transferSyntax
        guard syntax.isKnown else { throw DicomError(.unsupportedTransferSyntax, "cannot write \(syntax.uid)") }
        if !syntax.isEncapsulated, let pixels = dataSet[.pixelData], case .encapsulated = pixels.value {
            throw DicomError(.unsupportedTransferSyntax, "Pixel Data is compressed as \(transferSyntax.name); writing it as \(syntax.name) needs its codec")
        }
        if syntax.isEncapsulated && syntax != transferSyntax {
            throw DicomError(.unsupportedTransferSyntax, "encoding pixels as \(syntax.name) needs its codec")
        }
        let meta = try fileMeta(for: syntax)
        var writer = DataSetWriter(explicitVR: true, bigEndian: false, options: options, capacity: 1024)
        writer.output.append(contentsOf: preamble ?? [UInt8](repeating: 0, count: 128))
        if writer.output.count != 128 { throw DicomError(.invalidFileMeta, "the preamble must be 128 bytes") }
        writer.output.append(contentsOf: [0x44, 0x49, 0x43, 0x4D])
        let metaStart = writer.output.count
        try writer.write(meta)
        // (0002,0000) is the first element: patch its value with the length of what follows it.
        writer.patch32(at: metaStart + 8, UInt32(writer.output.count - metaStart - 12))
        let body = try DicomFile.encode(dataSet, as: syntax, options: options)
        writer.output.append(contentsOf: body)
        return writer.output
    }

    /// Encodes a bare data set (no preamble, no File Meta) in `syntax`, deflating for the deflated syntax.
    public static func encode(_ dataSet: DataSet, as syntax: TransferSyntax, options: WriteOptions = .default) throws(DicomError) -> [UInt8] {
        var writer = DataSetWriter(explicitVR: syntax.isExplicitVR, bigEndian: syntax.isBigEndian, options: options, capacity: 64 * 1024)
        try writer.write(dataSet)
        return syntax.isDeflated ? try Deflate.deflate(writer.output) : writer.output
    }

    /// Writes the file atomically: to a temporary file beside `path`, then renamed over it, so a crash never leaves half a file.
    public func write(to path: String, as syntax: TransferSyntax? = nil, options: WriteOptions = .default) throws(DicomError) {
        let bytes = try encoded(as: syntax, options: options)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DicomError(.fileIO, "cannot write \(path): \(error)")
        }
    }

    func fileMeta(for syntax: TransferSyntax) throws(DicomError) -> DataSet {
        var meta = DataSet()
        for e in fileMetaInformation where e.tag.group == 0x0002 { meta.set(e) }
        meta.set(DataElement(tag: .fileMetaInformationGroupLength, vr: .UL, bytes: [0, 0, 0, 0]))
        if !meta.contains(.fileMetaInformationVersion) {
            meta.set(DataElement(tag: .fileMetaInformationVersion, vr: .OB, bytes: [0x00, 0x01]))
        }
        if let sopClass = dataSet.uid(.sopClassUID), meta.uid(.mediaStorageSOPClassUID) == nil {
            try meta.setString(sopClass, for: .mediaStorageSOPClassUID, vr: .UI)
        }
        if let sopInstance = dataSet.uid(.sopInstanceUID), meta.uid(.mediaStorageSOPInstanceUID) == nil {
            try meta.setString(sopInstance, for: .mediaStorageSOPInstanceUID, vr: .UI)
        }
        if meta.uid(.transferSyntaxUID) != syntax.uid {
            try meta.setString(syntax.uid, for: .transferSyntaxUID, vr: .UI)
        }
        if meta.uid(.implementationClassUID) == nil {
            try meta.setString(DicomFile.implementationClassUID, for: .implementationClassUID, vr: .UI)
            try meta.setString(DicomFile.implementationVersionName, for: .implementationVersionName, vr: .SH)
        }
        return meta
    }
}
