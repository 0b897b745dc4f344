/// SOP Class UIDs the network services name (PS3.4 Annexes A, B, C, K).
public enum SOPClass {
    /// Verification (C-ECHO).
    public static let verification = "1.2.840.10008.1.1"
    /// Patient Root Q/R FIND.
    public static let patientRootFind = "1.2.840.10008.5.1.4.1.2.1.1"
    /// Patient Root Q/R MOVE.
    public static let patientRootMove = "1.2.840.10008.5.1.4.1.2.1.2"
    /// Patient Root Q/R GET.
    public static let patientRootGet = "1.2.840.10008.5.1.4.1.2.1.3"
    /// Study Root Q/R FIND.
    public static let studyRootFind = "1.2.840.10008.5.1.4.1.2.2.1"
    /// Study Root Q/R MOVE.
    public static let studyRootMove = "1.2.840.10008.5.1.4.1.2.2.2"
    /// Study Root Q/R GET.
    public static let studyRootGet = "1.2.840.10008.5.1.4.1.2.2.3"
    /// Modality Worklist Information Model FIND.
    public static let modalityWorklistFind = "1.2.840.10008.5.1.4.31"

    /// The Q/R and worklist classes; everything else an SCP with a storage handler takes for a storage class.
    public static let queryRetrieve: Set<String> = [patientRootFind, patientRootMove, patientRootGet, studyRootFind, studyRootMove, studyRootGet, modalityWorklistFind]

    /// Common storage classes proposed by C-GET when the caller does not list its own (PS3.4 Annex B.5).
    public static let commonStorage: [String] = [
        "1.2.840.10008.5.1.4.1.1.2",      // CT Image
        "1.2.840.10008.5.1.4.1.1.2.1",    // Enhanced CT Image
        "1.2.840.10008.5.1.4.1.1.4",      // MR Image
        "1.2.840.10008.5.1.4.1.1.4.1",    // Enhanced MR Image
        "1.2.840.10008.5.1.4.1.1.1",      // CR Image
        "1.2.840.10008.5.1.4.1.1.1.1",    // Digital X-Ray Image - For Presentation
        "1.2.840.10008.5.1.4.1.1.1.2",    // Digital Mammography X-Ray Image - For Presentation
        "1.2.840.10008.5.1.4.1.1.6.1",    // Ultrasound Image
        "1.2.840.10008.5.1.4.1.1.3.1",    // Ultrasound Multi-frame Image
        "1.2.840.10008.5.1.4.1.1.7",      // Secondary Capture Image
        "1.2.840.10008.5.1.4.1.1.12.1",   // X-Ray Angiographic Image
        "1.2.840.10008.5.1.4.1.1.20",     // Nuclear Medicine Image
        "1.2.840.10008.5.1.4.1.1.128",    // PET Image
        "1.2.840.10008.5.1.4.1.1.481.1",  // RT Image
        "1.2.840.10008.5.1.4.1.1.88.11",  // Basic Text SR
        "1.2.840.10008.5.1.4.1.1.88.22",  // Enhanced SR
        "1.2.840.10008.5.1.4.1.1.104.1",  // Encapsulated PDF
    ]
}

/// Transfer syntax UIDs used in negotiation.
public enum TransferSyntaxUID {
    /// Implicit VR Little Endian: every acceptor must support it (PS3.5 §10.1).
    public static let implicitLittle = "1.2.840.10008.1.2"
    /// Explicit VR Little Endian.
    public static let explicitLittle = "1.2.840.10008.1.2.1"
    /// The uncompressed pair, in our order of preference.
    public static let uncompressed = [explicitLittle, implicitLittle]
}
