import DicomCore

/// The DICOM network stack (PS3.7 DIMSE, PS3.8 Upper Layer) on SwiftNIO, kept out of DicomCore so that DicomCore stays portable.
///
/// - `UpperLayer`: PDUs as values, a pure parser and encoder, the association state machine, the NIO pipeline.
/// - `DIMSE`: command sets (always Implicit VR Little Endian, PS3.7 §6.3.1), statuses, message assembly.
/// - `SCU`: ``DicomClient`` — echo, store, find, move, get with async/await.
/// - `SCP`: ``DicomServer`` with handler protocols and the file-writing ``FileStorageHandler``.
public enum DicomNetwork {
    /// The Application Context Name every association proposes (PS3.7 Annex A.2.1).
    public static let applicationContextName = "1.2.840.10008.3.1.1.1"
    /// The Implementation Class UID sent in A-ASSOCIATE user information (the same root as our files).
    public static let implementationClassUID = DicomFile.implementationClassUID
    /// The Implementation Version Name sent in A-ASSOCIATE user information.
    public static let implementationVersionName = DicomFile.implementationVersionName
}
