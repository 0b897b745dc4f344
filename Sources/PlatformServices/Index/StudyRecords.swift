/// Where an exam is in its life: ordered, images arriving or done, reported.
public enum StudyStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ordered by the RIS; no images yet.
    case scheduled
    /// Images have arrived; no report yet.
    case imaging
    /// A report is available.
    case report

    /// Statuses only move forward: a late image does not take a reported exam back to `imaging`.
    func advanced(to next: StudyStatus) -> StudyStatus {
        let order: [StudyStatus] = [.scheduled, .imaging, .report]
        return order.firstIndex(of: next)! > order.firstIndex(of: self)! ? next : self
    }
}

/// How the patient came to the exam.
public enum VisitType: String, Sendable, Hashable, Codable, CaseIterable {
    case outpatient, inpatient, emergency, checkup
}

/// One exam as the worklist and the patient home show it.
public struct StudySummary: Sendable, Hashable, Codable {
    /// Study Instance UID (0020,000D): the exam's identity everywhere in the API.
    public var studyInstanceUID: String
    public var accessionNumber: String
    public var patientName: String
    public var patientId: String
    public var patientSex: String
    /// YYYY-MM-DD, or empty when unknown.
    public var patientBirthDate: String
    /// YYYY-MM-DD, or empty when unknown.
    public var studyDate: String
    /// HH:MM:SS, or empty when unknown.
    public var studyTime: String
    /// The imaging modality (CT, MR, DX, CR...), not SR or DOC.
    public var modality: String
    /// Every modality in the study.
    public var modalities: [String]
    public var description: String
    public var bodyPart: String
    public var referringPhysician: String
    public var status: StudyStatus
    public var visitType: VisitType?
    public var hospitalId: String
    public var institution: String
    public var department: String
    public var seriesCount: Int
    public var instanceCount: Int
    /// Epoch seconds of each status step, when known.
    public var scheduledAt: Int64?
    public var imagedAt: Int64?
    public var reportedAt: Int64?
}

/// One series of a study.
public struct SeriesSummary: Sendable, Hashable, Codable {
    public var seriesInstanceUID: String
    public var studyInstanceUID: String
    public var modality: String
    public var seriesNumber: Int?
    public var description: String
    public var bodyPart: String
    public var instanceCount: Int
    /// The SOP Instance UID of the middle instance, for a thumbnail.
    public var thumbnailInstanceUID: String?
}

/// One stored instance with what the viewer needs to show it.
public struct InstanceSummary: Sendable, Codable {
    public var sopInstanceUID: String
    public var seriesInstanceUID: String
    public var studyInstanceUID: String
    public var sopClassUID: String
    public var instanceNumber: Int?
    public var numberOfFrames: Int
    public var transferSyntaxUID: String
    public var size: Int64
    /// Image attributes for the viewer (see `InstanceMetadata`); nil for non-image objects.
    public var image: InstanceMetadata?
}

/// Where an instance's file is and how to read it (server-internal).
public struct StoredInstance: Sendable, Hashable {
    public var sopInstanceUID: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var storageKey: String
    public var transferSyntaxUID: String
    public var frameCount: Int
    public var patientId: String
    public var hospitalId: String
}

/// A page of results with the total that matched.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    /// Opaque cursor for the next page, nil on the last.
    public var nextCursor: String?
    public init(items: [Item], total: Int, nextCursor: String? = nil) {
        self.items = items
        self.total = total
        self.nextCursor = nextCursor
    }
}

extension Page: Encodable where Item: Encodable {}
extension Page: Decodable where Item: Decodable {}
