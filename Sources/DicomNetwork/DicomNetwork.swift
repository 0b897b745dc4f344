import DicomCore

/// The DICOM network stack (PS3.7 DIMSE, PS3.8 Upper Layer) lives here, on SwiftNIO, so that DicomCore stays portable.
///
/// This module is filled by the network issue; it exists now so the dependency graph is fixed from day one.
public enum DicomNetwork {
    /// The Application Context Name every association proposes (PS3.7 Annex A.2.1).
    public static let applicationContextName = "1.2.840.10008.3.1.1.1"
}
